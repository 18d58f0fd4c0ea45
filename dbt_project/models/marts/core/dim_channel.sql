with

channels as (

    select * from {{ ref('channels') }}

),

final as (

    select
        channels.channel,
        channels.channel_name,
        channels.channel_group,
        channels.is_assisted,
        channels.is_self_service,
        cast(channels.sort_order as integer) as sort_order
    from channels
    union all
    select
        'unknown' as channel,
        'Unknown' as channel_name,
        'unknown' as channel_group,
        false as is_assisted,
        false as is_self_service,
        99 as sort_order

)

select * from final
