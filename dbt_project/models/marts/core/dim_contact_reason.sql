with

contact_reasons as (

    select * from {{ ref('contact_reasons') }}

),

final as (

    select distinct
        contact_reasons.reason,
        contact_reasons.reason_name,
        contact_reasons.reason_group
    from contact_reasons
    union all
    select
        'unknown' as reason,
        'Unknown' as reason_name,
        'unknown' as reason_group

)

select * from final
