{#- Salesforce merges: a merged contact is deleted with master_record_id naming the contact
    it was merged into (its latest version). -#}
with

source as (

    select * from {{ source('salesforce', 'contact') }}

),

latest as (

    select
        source.id,
        source.is_deleted,
        source.master_record_id,
        coalesce(source.fivetran_start, source.last_modified_date, source.fivetran_synced)
            as merged_at,
        source._loaded_at,
        row_number() over (
            partition by source.id
            order by
                coalesce(source.fivetran_start, source.last_modified_date, source.fivetran_synced)
                desc,
                source._loaded_at desc,
                source._row desc
        ) as recency
    from source

)

select
    latest.id as merged_customer_id,
    latest.master_record_id as surviving_customer_id,
    latest.merged_at,
    latest._loaded_at
from latest
where latest.recency = 1 and latest.is_deleted and latest.master_record_id is not null
