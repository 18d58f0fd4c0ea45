{#- Service-episode KPIs per day (episode start) x reason x first channel x customer segment. -#}
with

episodes as (

    select * from {{ ref('fct_service_journeys') }}

),

chains as (

    select * from {{ ref('int_contact_chains_windowed') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

segmented as (

    select
        episodes.*,
        coalesce(customers.segment, 'unknown') as segment
    from episodes
    left join customers on episodes.customer_sk = customers.customer_sk

),

gaps as (

    select
        chains.episode_id,
        {{ seconds_between('chains.previous_started_at', 'chains.started_at') }} / 3600.0
            as hours_since_previous
    from chains
    where chains.chain_number_in_episode > 1

),

gap_stats as (

    select
        segmented.episode_date,
        segmented.reason,
        segmented.first_channel,
        segmented.segment,
        count(gaps.hours_since_previous) as contact_gaps,
        sum(gaps.hours_since_previous) as hours_between_contacts,
        avg(gaps.hours_since_previous) as mean_hours_between_contacts,
        {{ median('gaps.hours_since_previous') }} as median_hours_between_contacts
    from gaps
    inner join segmented on gaps.episode_id = segmented.episode_id
    group by segmented.episode_date, segmented.reason, segmented.first_channel, segmented.segment

),

daily as (

    select
        segmented.episode_date,
        segmented.reason,
        segmented.first_channel,
        segmented.segment,
        count(*) as episodes,
        count(*) filter (where segmented.is_customer_known) as known_customer_episodes,
        -- FCR counts only episodes whose customer is known: an unidentified caller's contact
        -- is an episode of its own, and would look resolved at first contact
        count(*) filter (where segmented.is_customer_known and segmented.is_first_contact_resolved)
            as first_contact_resolved,
        count(*) filter (where segmented.is_resolved) as resolved_episodes,
        sum(segmented.contacts) as contacts,
        sum(case when segmented.is_customer_known then segmented.contacts else 0 end)
            as known_customer_contacts,
        sum(segmented.assisted_contacts) as assisted_contacts,
        count(*) filter (where segmented.is_escalated_from_digital) as escalated_from_digital
    from segmented
    group by segmented.episode_date, segmented.reason, segmented.first_channel, segmented.segment

),

final as (

    select
        daily.episode_date as date_day,
        daily.reason,
        daily.first_channel as channel,
        daily.segment,
        cast(daily.episodes as bigint) as episodes,
        cast(daily.known_customer_episodes as bigint) as known_customer_episodes,
        cast(daily.first_contact_resolved as bigint) as first_contact_resolved,
        cast(daily.resolved_episodes as bigint) as resolved_episodes,
        cast(daily.contacts as bigint) as contacts,
        cast(daily.known_customer_contacts as bigint) as known_customer_contacts,
        cast(daily.assisted_contacts as bigint) as assisted_contacts,
        cast(daily.escalated_from_digital as bigint) as escalated_from_digital,
        cast(daily.known_customer_episodes - daily.first_contact_resolved as bigint)
            as repeat_episodes,
        cast(coalesce(gap_stats.contact_gaps, 0) as bigint) as contact_gaps,
        cast(coalesce(gap_stats.hours_between_contacts, 0) as double) as hours_between_contacts,
        {{ ratio('daily.first_contact_resolved', 'daily.known_customer_episodes') }}
            as first_contact_resolution_rate,
        {{ ratio(
            'daily.known_customer_episodes - daily.first_contact_resolved',
            'daily.known_customer_episodes'
        ) }} as repeat_contact_rate,
        {{ ratio('daily.known_customer_contacts', 'daily.contacts') }} as known_customer_share,
        {{ ratio('daily.contacts', 'daily.resolved_episodes') }} as contacts_per_resolution,
        cast(gap_stats.mean_hours_between_contacts as double) as mean_hours_between_contacts,
        cast(gap_stats.median_hours_between_contacts as double) as median_hours_between_contacts
    from daily
    left join gap_stats
        on
            daily.episode_date = gap_stats.episode_date
            and daily.reason = gap_stats.reason
            and daily.first_channel = gap_stats.first_channel
            and daily.segment = gap_stats.segment

)

select * from final
