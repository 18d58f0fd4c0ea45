with

touchpoint_types as (

    select * from {{ ref('touchpoint_types') }}

),

final as (

    select
        touchpoint_types.touchpoint_type,
        touchpoint_types.touchpoint_type_name,
        touchpoint_types.channel,
        touchpoint_types.is_assisted,
        touchpoint_types.is_self_service,
        cast(touchpoint_types.sort_order as integer) as sort_order
    from touchpoint_types
    union all
    select
        'unknown' as touchpoint_type,
        'Unknown' as touchpoint_type_name,
        'unknown' as channel,
        false as is_assisted,
        false as is_self_service,
        99 as sort_order

)

select * from final
