with

journey_stages as (

    select * from {{ ref('journey_stages') }}

),

final as (

    select
        journey_stages.stage,
        journey_stages.stage_name,
        cast(journey_stages.stage_order as integer) as stage_order,
        journey_stages.description
    from journey_stages
    union all
    select
        'unknown' as stage,
        'Unknown' as stage_name,
        99 as stage_order,
        'No stage rule matched, or a survey with no stage to inherit' as description
    union all
    select
        'none' as stage,
        'None' as stage_name,
        100 as stage_order,
        'No next stage yet' as description

)

select * from final
