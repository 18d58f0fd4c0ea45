{#- Salesforce merges: a merged contact is deleted with master_record_id naming the contact
    it was merged into (its latest version). -#}
with

source as (

    select * from {{ source('salesforce', 'contact') }}

),

versions as (

    select
        source.id,
        source.is_deleted,
        source.master_record_id,
        {{ salesforce_version_time() }} as merged_at,
        source._loaded_at,
        source._row
    from source

),

latest as (

    select
        versions.*,
        row_number() over (
            partition by versions.id
            order by versions.merged_at desc, versions._loaded_at desc, versions._row desc
        ) as recency
    from versions

)

select
    latest.id as merged_customer_id,
    latest.master_record_id as surviving_customer_id,
    latest.merged_at,
    latest._loaded_at
from latest
where latest.recency = 1 and latest.is_deleted and latest.master_record_id is not null
