{#- HubSpot merge_records, from both places the connector records them: the merge audits
    (vid_to_merge into canonical_vid) and the surviving contact's hs_merged_object_ids (the
    ids merged into it, `;`-separated). -#}
with

audits as (

    select * from {{ source('hubspot_contact_merges', 'contact_merge_audit') }}

),

contacts as (

    select * from {{ source('hubspot', 'contact') }}

),

merged_ids as (

    select
        contacts.id,
        trim(merged.merged_id) as merged_id,
        coalesce(contacts.property_lastmodifieddate, contacts.fivetran_synced) as merged_at,
        contacts._loaded_at
    from contacts
    cross join
        unnest(string_split(contacts.property_hs_merged_object_ids, ';')) as merged (merged_id)
    where contacts.property_hs_merged_object_ids is not null

),

merge_records as (

    select
        audits.vid_to_merge as merged_customer_id,
        audits.canonical_vid as surviving_customer_id,
        audits.timestamp as merged_at,
        audits._loaded_at
    from audits
    union all
    select
        merged_ids.merged_id as merged_customer_id,
        merged_ids.id as surviving_customer_id,
        merged_ids.merged_at,
        merged_ids._loaded_at
    from merged_ids
    where merged_ids.merged_id <> ''

)

select
    merge_records.merged_customer_id,
    merge_records.surviving_customer_id,
    min(merge_records.merged_at) as merged_at,
    max(merge_records._loaded_at) as _loaded_at
from merge_records
where merge_records.merged_customer_id <> merge_records.surviving_customer_id
group by merge_records.merged_customer_id, merge_records.surviving_customer_id
