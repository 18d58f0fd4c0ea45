{#-
    One row per CRM contact merged into another, from every CRM's merge records (var
    'crm_merge_models'): the contact that finally survives, following a merged contact's own
    merges up to three steps (A into B, B later into C: A's survivor is C). When one contact
    is recorded merged into two, the later merge wins.
-#}
{{ config(materialized='view') }}

with

merge_records as (

    {{ union_models(var('crm_merge_models'), [
        'merged_customer_id',
        'surviving_customer_id',
        'merged_at',
        '_loaded_at',
    ]) }}

),

latest as (

    select ranked.*
    from (
        select
            merge_records.*,
            row_number() over (
                partition by merge_records.merged_customer_id
                order by
                    merge_records.merged_at desc nulls last,
                    merge_records._loaded_at desc,
                    merge_records.surviving_customer_id asc
            ) as recency
        from merge_records
    ) as ranked
    where ranked.recency = 1

),

resolved as (

    select
        latest.merged_customer_id,
        coalesce(
            third_step.surviving_customer_id,
            second_step.surviving_customer_id,
            latest.surviving_customer_id
        ) as surviving_customer_id,
        latest.merged_at,
        greatest(latest._loaded_at, second_step._loaded_at, third_step._loaded_at) as _loaded_at
    from latest
    left join latest as second_step
        on latest.surviving_customer_id = second_step.merged_customer_id
    left join latest as third_step
        on second_step.surviving_customer_id = third_step.merged_customer_id

)

select * from resolved
where merged_customer_id <> surviving_customer_id
