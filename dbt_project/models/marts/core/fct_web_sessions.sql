{#- Incremental by cookie (strategy replace_from): re-aggregates the events
    int_web_events_sessionized rewrote, each cookie's sessions from the first one it sessionized
    again; the cookie's earlier sessions stay. A cookie sessionized again from its first
    session loses every old session (its first event may have moved to another cookie). A first
    build runs in slices of cookies (sliced_build.sql). -#}
{{ config(
    materialized='incremental',
    unique_key='cookie_id',
    incremental_strategy='replace_from',
    replace_from='started_at',
    replace_whole_when='session_number = 1',
    on_schema_change='fail',
    pre_hook="{{ start_sliced_build(ref('int_web_events_sessionized')) }}",
    post_hook="{{ build_remaining_slices() }}",
) }}

with

{% if is_incremental() %}
events as (

    {{ rebuilt_since_last_run(ref('int_web_events_sessionized')) }}

),
{% else %}
-- A first build runs once per slice of cookies (sliced_build.sql).
events as (

    select * from {{ ref('int_web_events_sessionized') }}
    where {{ in_build_slice('cookie_id') }}

),
{% endif %}

sessions as (

    select
        events.session_id,
        min(events.cookie_id) as cookie_id,
        min(events.session_number) as session_number,
        min(events.customer_key) as customer_key,
        min(events.event_at) as started_at,
        max(events.event_at) as ended_at,
        count(*) as events,
        sum(case when events.event_name in ('page_view', 'faq_view') then 1 else 0 end) as page_views,
        max(case when events.event_name = 'login' then 1 else 0 end) = 1 as has_login,
        max(case when events.event_name = 'search' then 1 else 0 end) = 1 as has_search,
        max(case when events.event_name = 'purchase' then 1 else 0 end) = 1 as has_purchase,
        max(case when events.event_name = 'cancel_subscription' then 1 else 0 end) = 1
            as has_cancellation,
        max(case when events.event_name = 'error' then 1 else 0 end) = 1 as has_error,
        count(distinct events.vendor_session_id) as vendor_sessions,
        max(events._batch_at) as _batch_at
    from events
    group by events.session_id

),

-- The events the seed web_stage_signals makes help-centre or consideration signals (by
-- canonical event name, page path pattern, or both).
signals as (

    select
        events.session_id,
        max(case when web_stage_signals.web_intent = 'help' then 1 else 0 end) = 1
            as has_help_centre,
        max(case when web_stage_signals.web_intent = 'consideration' then 1 else 0 end) = 1
            as has_consideration_page
    from events
    inner join {{ ref('web_stage_signals') }} as web_stage_signals
        on
            (web_stage_signals.event_name is not null or web_stage_signals.page_path is not null)
            and (
                web_stage_signals.event_name is null
                or events.event_name = web_stage_signals.event_name
            )
            and (
                web_stage_signals.page_path is null
                or events.page_path like web_stage_signals.page_path
            )
    group by events.session_id

),

landing as (

    select
        events.session_id,
        events.page_path as landing_page_path,
        events.device_type,
        events.vendor_session_id
    from events
    where events.is_session_start

),

-- The visit's traffic source: its first event carrying one (GA4's session_start carries none;
-- its page_view does), the three fields from that same event. The referrer likewise.
ordered_sources as (

    select
        events.session_id,
        events.utm_source,
        events.utm_medium,
        events.utm_campaign,
        row_number() over (
            partition by events.session_id order by events.event_at, events.event_id
        ) as source_rank
    from events
    where
        events.utm_source is not null
        or events.utm_medium is not null
        or events.utm_campaign is not null

),

ordered_referrers as (

    select
        events.session_id,
        events.referrer,
        row_number() over (
            partition by events.session_id order by events.event_at, events.event_id
        ) as referrer_rank
    from events
    where events.referrer is not null

),

exits as (

    select
        events.session_id,
        events.page_path as exit_page_path,
        row_number() over (
            partition by events.session_id order by events.event_at desc, events.event_id desc
        ) as event_rank
    from events

),

customers as (

    select * from {{ ref('dim_customer') }}

),

final as (

    select
        sessions.session_id,
        sessions.cookie_id,
        cast(sessions.session_number as integer) as session_number,
        sessions.customer_key,
        coalesce(customers.customer_sk, '-1') as customer_sk,
        {{ local_date('sessions.started_at') }} as session_date,
        sessions.started_at,
        sessions.ended_at,
        cast({{ seconds_between('sessions.started_at', 'sessions.ended_at') }} as bigint)
            as duration_seconds,
        cast(sessions.events as integer) as events,
        cast(sessions.page_views as integer) as page_views,
        landing.landing_page_path,
        exits.exit_page_path,
        ordered_referrers.referrer,
        ordered_sources.utm_source,
        ordered_sources.utm_medium,
        ordered_sources.utm_campaign,
        coalesce(landing.device_type, 'unknown') as device_type,
        sessions.has_login,
        coalesce(signals.has_help_centre, false) as has_help_centre,
        sessions.has_search,
        coalesce(signals.has_consideration_page, false) as has_consideration_page,
        sessions.has_purchase,
        sessions.has_cancellation,
        sessions.has_error,
        sessions.events = 1 as is_bounce,
        case
            when signals.has_help_centre then 'help'
            when signals.has_consideration_page then 'consideration'
            when sessions.has_login then 'browse'
            else 'awareness'
        end as web_intent,
        landing.vendor_session_id,
        cast(sessions.vendor_sessions as integer) as vendor_sessions,
        sessions._batch_at
    from sessions
    left join landing on sessions.session_id = landing.session_id
    left join signals on sessions.session_id = signals.session_id
    left join ordered_sources
        on sessions.session_id = ordered_sources.session_id and ordered_sources.source_rank = 1
    left join ordered_referrers
        on
            sessions.session_id = ordered_referrers.session_id
            and ordered_referrers.referrer_rank = 1
    left join exits on sessions.session_id = exits.session_id and exits.event_rank = 1
    left join customers
        on {{ is_customer_version('customers', 'sessions.customer_key', 'sessions.started_at') }}

)

select * from final
