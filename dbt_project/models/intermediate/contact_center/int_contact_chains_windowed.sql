{#-
    One row per contact chain (a first leg and its transfer, callback and hand-off legs), with the
    service episode it belongs to. An episode is a customer's first chain about a reason plus
    every chain about the same reason, in any channel, that starts within
    var('repeat_window_days') of the previous one.
-#}
with

legs as (

    select * from {{ ref('int_contacts_identified') }}

),

chains as (

    select
        legs.chain_id,
        min(legs.customer_key) as customer_key,
        max(case when legs.is_customer_known then 1 else 0 end) = 1 as is_customer_known,
        coalesce(
            min(case when legs.contact_id = legs.chain_id then legs.reason end), min(legs.reason)
        ) as reason,
        min(legs.initiated_at) as started_at,
        max(coalesce(legs.ended_at, legs.initiated_at)) as ended_at,
        coalesce(
            min(case when legs.contact_id = legs.chain_id then legs.channel end), min(legs.channel)
        ) as first_channel,
        count(*) as legs,
        max(case when legs.is_handled then 1 else 0 end) = 1 as is_assisted,
        max(case when {{ is_self_service_session('legs') }} then 1 else 0 end) = 1
            as has_self_service,
        max(case when legs.is_contained then 1 else 0 end) = 1 as is_contained,
        max(case when legs.is_resolved then 1 else 0 end) = 1 as is_resolved,
        max(case when legs.is_abandoned then 1 else 0 end) = 1 as has_abandon
    from legs
    group by legs.chain_id

),

assisted_channel as (

    select
        legs.chain_id,
        min(legs.channel) as assisted_channel
    from legs
    where legs.is_handled
    group by legs.chain_id

),

ordered as (

    select
        chains.*,
        coalesce(assisted_channel.assisted_channel, chains.first_channel) as channel,
        lag(chains.started_at) over (
            partition by chains.customer_key, chains.reason
            order by chains.started_at, chains.chain_id
        ) as previous_started_at
    from chains
    left join assisted_channel on chains.chain_id = assisted_channel.chain_id

),

flagged as (

    select
        ordered.*,
        case
            when ordered.previous_started_at is null then 1
            when
                ordered.started_at
                > {{ dbt.dateadd('day', var('repeat_window_days'), 'ordered.previous_started_at') }}
                then 1
            else 0
        end as is_episode_start
    from ordered

),

numbered as (

    select
        flagged.*,
        sum(flagged.is_episode_start) over (
            partition by flagged.customer_key, flagged.reason
            order by flagged.started_at, flagged.chain_id
            rows between unbounded preceding and current row
        ) as episode_number
    from flagged

),

final as (

    select
        numbered.chain_id,
        first_value(numbered.chain_id) over (
            partition by numbered.customer_key, numbered.reason, numbered.episode_number
            order by numbered.started_at, numbered.chain_id
        ) as episode_id,
        row_number() over (
            partition by numbered.customer_key, numbered.reason, numbered.episode_number
            order by numbered.started_at, numbered.chain_id
        ) as chain_number_in_episode,
        numbered.customer_key,
        numbered.is_customer_known,
        numbered.reason,
        numbered.channel,
        numbered.started_at,
        numbered.ended_at,
        numbered.previous_started_at,
        numbered.legs,
        numbered.is_assisted,
        numbered.has_self_service,
        numbered.is_contained,
        numbered.is_resolved,
        numbered.has_abandon
    from numbered

)

select * from final
