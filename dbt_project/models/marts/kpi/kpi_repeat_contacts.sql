{#-
    Why customers come back: service episodes of known customers (as FCR: an unidentified
    caller's contact is an episode of its own) by reason x first channel x channel path over the
    published history. An episode is repeated when it holds more than one contact (the same
    reason, any channel, within var repeat_window_days of the previous). The repeat rate of a
    reason and first channel (over its paths) has its Wilson interval and support
    (macros/statistics.sql, var min_support).
-#}
with

journeys as (

    select * from {{ ref('fct_service_journeys') }}
    where is_customer_known

),

paths as (

    select
        journeys.reason,
        journeys.first_channel,
        journeys.channel_path,
        count(*) as episodes,
        count(*) filter (where journeys.contacts > 1) as repeated_episodes,
        sum(journeys.contacts) as contacts
    from journeys
    group by journeys.reason, journeys.first_channel, journeys.channel_path

),

by_start as (

    select
        paths.reason,
        paths.first_channel,
        sum(paths.episodes) as start_episodes,
        sum(paths.repeated_episodes) as start_repeated_episodes
    from paths
    group by paths.reason, paths.first_channel

),

final as (

    select
        paths.reason,
        paths.first_channel,
        paths.channel_path,
        cast(paths.episodes as bigint) as episodes,
        cast(paths.repeated_episodes as bigint) as repeated_episodes,
        cast(paths.contacts as bigint) as contacts,
        cast(by_start.start_episodes as bigint) as start_episodes,
        cast(by_start.start_repeated_episodes as bigint) as start_repeated_episodes,
        {{ ratio('by_start.start_repeated_episodes', 'by_start.start_episodes') }}
            as start_repeat_rate,
        {{ wilson_bound('by_start.start_repeated_episodes', 'by_start.start_episodes', 'low') }}
            as start_repeat_rate_low,
        {{ wilson_bound('by_start.start_repeated_episodes', 'by_start.start_episodes', 'high') }}
            as start_repeat_rate_high,
        by_start.start_episodes >= {{ var('min_support') }} as has_support
    from paths
    inner join by_start
        on paths.reason = by_start.reason and paths.first_channel = by_start.first_channel

)

select * from final
