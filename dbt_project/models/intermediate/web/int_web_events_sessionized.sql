{#-
    One row per web event with its session. A session is a cookie's run of events with no gap
    longer than var('session_inactivity_minutes'); ties in time are ordered by event_id. The
    customer is the cookie's resolved customer (so visits before a login are attributed once the
    cookie is linked); on a shared device a logged-in visit belongs to its own user and an
    anonymous visit stays anonymous.

    Events come from every web source (int_web_events, every delivered copy) and are
    deduplicated here, once, on event_id: the latest load wins.

    Incremental, in proportion to what arrived: a cookie with events loaded since the last run
    is sessionized again from the start of its last session before its earliest new (or moved)
    event, numbering on from the sessions before it; a cookie whose identity may have moved (a
    first login of a customer on it, or logins pointing at CRM customers loaded since) is
    sessionized again whole. Late events and late identity land exactly as in a full refresh;
    the rows replaced are those of the events rebuilt (unique_key event_id), so an event that
    moved to another cookie leaves its old one. Only the copies of the rebuilt events are
    deduplicated, not the whole history. A first build runs in slices of cookies
    (sliced_build.sql), each bounded by var('build_slice_rows').
-#}
-- depends_on: {{ ref('int_crm_changes') }}
{{ config(
    materialized='incremental',
    unique_key='event_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{{ start_sliced_build(ref('int_web_events')) }}",
    post_hook="{{ build_remaining_slices() }}",
) }}

with

{% if is_incremental() %}
raw_events as {{ not_materialized() }} (

    select * from {{ ref('int_web_events') }}

),

crm as (

    select * from {{ ref('int_crm_changes') }}

),

new_rows as (

    select
        loaded_events.event_id,
        loaded_events.cookie_id,
        loaded_events.event_at,
        loaded_events.customer_id
    from ({{ loaded_since_last_run('raw_events') }}) as loaded_events

),

-- Older copies of the new rows' events: the new copy wins the deduplication, so the event may
-- leave its cookie, move in time, or lose its login.
older_copies as (

    select
        raw_events.cookie_id,
        raw_events.event_at,
        raw_events.customer_id
    from raw_events
    where
        raw_events.event_id in (select new_rows.event_id from new_rows)
        and raw_events._loaded_at <= ({{ incremental_watermark() }})

),

-- Where each cookie's events changed: its earliest new or moved event.
changed_points as (

    select
        new_rows.cookie_id,
        new_rows.event_at
    from new_rows
    union all
    select
        older_copies.cookie_id,
        older_copies.event_at
    from older_copies

),

-- Cookies whose identity may have moved, so every event is resolved again: a customer logged
-- in on the cookie for the first time (or a login copy replaced), and logins pointing at CRM
-- customers loaded since.
relinked_cookies as (

    select first_logins.cookie_id
    from (
        select distinct
            new_rows.cookie_id,
            new_rows.customer_id
        from new_rows
        where new_rows.customer_id is not null
    ) as first_logins
    where not exists (
        select 1
        from raw_events
        where
            raw_events.cookie_id = first_logins.cookie_id
            and raw_events.customer_id = first_logins.customer_id
            and raw_events._loaded_at <= ({{ incremental_watermark() }})
    )
    union
    select older_copies.cookie_id
    from older_copies
    where older_copies.customer_id is not null
    union
    select raw_events.cookie_id
    from raw_events
    inner join ({{ loaded_since_last_run('crm') }}) as new_crm
        on raw_events.customer_id = new_crm.customer_id

),

touched_cookies as (

    select
        changes.cookie_id,
        case
            when max(changes.is_relinked) = 0 then min(changes.event_at)
        end as changed_from
    from (
        select
            changed_points.cookie_id,
            changed_points.event_at,
            0 as is_relinked
        from changed_points
        union all
        select
            relinked_cookies.cookie_id,
            cast(null as timestamp) as event_at,
            1 as is_relinked
        from relinked_cookies
    ) as changes
    group by changes.cookie_id

),

-- Each touched cookie is sessionized again from the start of its last held session that began
-- before the change: that event stays a session start and nothing before it changes, so the
-- sessions before it keep their rows and numbers. A relinked cookie, or one with no session
-- before the change, is sessionized again whole (rebuilt_from null).
anchors as (

    select
        touched_cookies.cookie_id,
        max(this_run.event_at) as rebuilt_from,
        greatest(count(this_run.event_at) - 1, 0) as sessions_before
    from touched_cookies
    left join {{ this }} as this_run
        on
            touched_cookies.cookie_id = this_run.cookie_id
            and this_run.is_session_start
            and this_run.event_at < touched_cookies.changed_from
    group by touched_cookies.cookie_id

),

-- Every copy of every event with a copy in a touched cookie's rebuilt span: deduplicating
-- these rows picks the same copy as deduplicating all rows would.
candidate_rows as (

    select raw_events.*
    from raw_events
    where raw_events.event_id in (
        select spanned.event_id
        from raw_events as spanned
        inner join anchors
            on
                spanned.cookie_id = anchors.cookie_id
                and (anchors.rebuilt_from is null or spanned.event_at >= anchors.rebuilt_from)
    )

),

deduplicated as (

    {{ deduplicate('candidate_rows', 'event_id') }}

),

events as (

    select
        deduplicated.*,
        anchors.sessions_before
    from deduplicated
    inner join anchors
        on
            deduplicated.cookie_id = anchors.cookie_id
            and (anchors.rebuilt_from is null or deduplicated.event_at >= anchors.rebuilt_from)

),
{% else %}
all_rows as {{ not_materialized() }} (

    select * from {{ ref('int_web_events') }}

),

-- A first build runs once per slice of cookies (sliced_build.sql); unsliced, every row.
events as (

    select
        winners.*,
        0 as sessions_before
    from ({{ slice_winners('all_rows', 'event_id', 'cookie_id') }}) as winners

),
{% endif %}

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}
    where identifier_type = 'cookie'

),

crm_ids as (

    select * from {{ ref('int_identifiers_resolved') }}
    where identifier_type = 'customer_id' and not is_anonymous

),

gaps as (

    select
        events.*,
        lag(events.event_at) over (
            partition by events.cookie_id order by events.event_at, events.event_id
        ) as previous_event_at
    from events

),

session_starts as (

    select
        gaps.*,
        case
            when gaps.previous_event_at is null then 1
            when
                {{ seconds_between('gaps.previous_event_at', 'gaps.event_at') }}
                > {{ var('session_inactivity_minutes') }} * 60
                then 1
            else 0
        end as is_session_start
    from gaps

),

-- One more pass in the same order numbers the sessions and carries each session's first event
-- id forward (the last session start seen so far).
numbered as (

    select
        session_starts.*,
        session_starts.sessions_before
        + sum(session_starts.is_session_start) over cookie_order as session_number,
        {{ last_value_ignoring_nulls(
            'case when session_starts.is_session_start = 1 then session_starts.event_id end'
        ) }} over cookie_order as session_first_event_id
    from session_starts
    window cookie_order as (
        partition by session_starts.cookie_id
        order by session_starts.event_at, session_starts.event_id
        rows between unbounded preceding and current row
    )

),

-- The CRM customers logged in during each session: only logged-in events take part.
session_logins as (

    select
        numbered.cookie_id,
        numbered.session_number,
        max(crm_ids.customer_key) as session_login_customer_key,
        count(distinct crm_ids.customer_key) as session_login_customers
    from numbered
    inner join crm_ids on numbered.customer_id = crm_ids.identifier_value
    group by numbered.cookie_id, numbered.session_number

),

sessions as (

    select
        numbered.*,
        session_logins.session_login_customer_key,
        coalesce(session_logins.session_login_customers, 0) as session_login_customers
    from numbered
    left join session_logins
        on
            numbered.cookie_id = session_logins.cookie_id
            and numbered.session_number = session_logins.session_number

),

final as (

    select
        {{ dbt.hash("sessions.cookie_id || '-' || sessions.session_first_event_id") }} as session_id,
        sessions.session_number,
        sessions.event_id,
        sessions.event_at,
        sessions.cookie_id,
        case
            when identifiers.resolution_rule = 'login' then identifiers.customer_key
            when sessions.session_login_customers = 1 then sessions.session_login_customer_key
            else identifiers.customer_key
        end as customer_key,
        sessions.customer_id as logged_in_customer_id,
        sessions.event_name,
        sessions.page_path,
        sessions.referrer,
        sessions.utm_source,
        sessions.utm_medium,
        sessions.utm_campaign,
        sessions.device_type,
        sessions.order_id,
        sessions.order_value_eur,
        sessions.vendor_session_id,
        sessions.is_session_start = 1 as is_session_start,
        sessions._loaded_at,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as _batch_at
    from sessions
    left join identifiers on sessions.cookie_id = identifiers.identifier_value

)

select * from final
