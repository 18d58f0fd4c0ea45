{#- HubSpot contacts as canonical CRM customer versions (the columns of stg_crm__customers): a
    version per contact as last modified (the connector updates contacts in place, so each
    delivery of a changed contact is a version). A contact deleted in HubSpot (its latest
    delivery) is no customer; merged contacts are stg_hubspot__contact_merges. -#}
with

source as (

    select * from {{ source('hubspot', 'contact') }}

),

versions as (

    select
        source.*,
        coalesce(source.property_lastmodifieddate, source.fivetran_synced, source._loaded_at)
            as updated_at
    from source

),

deduplicated as (

    {{ deduplicate('versions', 'id, updated_at') }}

),

deleted as (

    select ranked.id
    from (
        select
            deduplicated.id,
            deduplicated.fivetran_deleted,
            row_number() over (
                partition by deduplicated.id order by deduplicated.updated_at desc
            ) as recency
        from deduplicated
    ) as ranked
    where ranked.recency = 1 and ranked.fivetran_deleted

),

fields as (

    {{ crm_field_values('deduplicated', 'hubspot') }}

),

renamed as (

    select
        deduplicated.id || '@' || cast(deduplicated.updated_at as {{ dbt.type_string() }})
            as customer_version_id,
        deduplicated.id as customer_id,
        {{ hash_pii('deduplicated.property_email', 'email') }} as email_hash,
        {{ hash_pii(
            'coalesce(deduplicated.property_phone, deduplicated.property_mobilephone)', 'phone'
        ) }} as phone_hash,
        lower(fields.segment) as segment,
        lower(fields.plan) as plan,
        fields.signup_date,
        fields.cancel_date,
        upper(fields.country) as country_code,
        lower(fields.language) as language_code,
        deduplicated.updated_at,
        deduplicated._file,
        deduplicated._row,
        deduplicated._load_id,
        deduplicated._loaded_at
    from deduplicated
    left join fields
        on deduplicated._load_id = fields._load_id and deduplicated._row = fields._row
    where deduplicated.id not in (select deleted.id from deleted)

)

select * from renamed
