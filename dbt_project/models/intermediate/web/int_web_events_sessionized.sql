{#-
    One row per web event with its session. A session is a cookie's run of events with no gap
    longer than var('session_inactivity_minutes'); ties in time are ordered by event_id. The
    customer is the cookie's resolved customer (so visits before a login are attributed once the
    cookie is linked); on a shared device a logged-in visit belongs to its own user and an
    anonymous visit stays anonymous.

    Events come from every web source (int_web_events, every delivered copy) and are
    deduplicated here, once, on event_id: the latest load wins.

    Incremental: every run re-sessionizes the whole history of each cookie that has events
    loaded since the last run (or whose logins point at CRM customers loaded since), so late
    events and late identity land exactly as in a full refresh. It deduplicates only the copies
    of those cookies' events, not the whole history. A first build runs in slices of cookies
    (sliced_build.sql), each bounded by var('build_slice_rows').
-#}
-- depends_on: {{ ref('int_crm_changes') }}
{{ config(
    materialized='incremental',
    unique_key='cookie_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{{ start_sliced_build(ref('int_web_events')) }}",
    post_hook="{{ build_remaining_slices() }}",
) }}

with

{% if is_incremental() %}
raw_events as (

    select * from {{ ref('int_web_events') }}

),

crm as (

    select * from {{ ref('int_crm_changes') }}

),

new_rows as (

    select
        loaded_events.event_id,
        loaded_events.cookie_id
    from ({{ loaded_since_last_run('raw_events') }}) as loaded_events

),

-- Cookies with new rows; cookies holding an older copy of a new row's event (the new copy wins
-- the deduplication, so the event may leave that cookie); cookies whose logins point at CRM
-- customers loaded since.
touched_cookies as (

    select new_rows.cookie_id from new_rows
    union
    select raw_events.cookie_id
    from raw_events
    where raw_events.event_id in (select new_rows.event_id from new_rows)
    union
    select raw_events.cookie_id
    from raw_events
    inner join ({{ loaded_since_last_run('crm') }}) as new_crm
        on raw_events.customer_id = new_crm.customer_id

),

-- Every copy of every event of those cookies: deduplicating these rows picks the same copy as
-- deduplicating all rows would, without deduplicating the whole history.
candidate_rows as (

    select raw_events.*
    from raw_events
    where raw_events.event_id in (
        select raw_events.event_id
        from raw_events
        where raw_events.cookie_id in (select touched_cookies.cookie_id from touched_cookies)
    )

),

deduplicated as (

    {{ deduplicate('candidate_rows', 'event_id') }}

),

events as (

    select deduplicated.*
    from deduplicated
    where deduplicated.cookie_id in (select touched_cookies.cookie_id from touched_cookies)

),
{% else %}
all_rows as (

    select * from {{ ref('int_web_events') }}

),

-- A first build runs once per slice of cookies (sliced_build.sql): every copy of the slice's
-- events, deduplicated, then the winners whose cookie is in the slice (as above for touched
-- cookies). Unsliced, the filter holds for every row.
candidate_rows as (

    select all_rows.*
    from all_rows
    where all_rows.event_id in (
        select sliced_rows.event_id
        from all_rows as sliced_rows
        where {{ in_build_slice('sliced_rows.cookie_id') }}
    )

),

deduplicated as (

    {{ deduplicate('candidate_rows', 'event_id') }}

),

events as (

    select deduplicated.*
    from deduplicated
    where {{ in_build_slice('deduplicated.cookie_id') }}

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
        sum(session_starts.is_session_start) over cookie_order as session_number,
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
