{#-
    One row per cookie and CRM id logged in on it (customer_id null: the cookie's events without
    a login), over the winning copy of every web event (the latest load of an event_id wins).
    What identity resolution needs of the web events, without deduplicating every event each
    night: a year of a million customers' events is 173.6M rows.

    Incremental (strategy rebuild_keys on cookie_id): a night adds the pairs of the events loaded
    since, and takes away a pair a re-delivered copy displaced (the older winner had it, the new
    one has another cookie or login) unless another winning event still has it. Both are exact
    and repeatable, so a lookback that reads a row twice changes nothing. A first build runs in
    slices of cookies (sliced_build.sql).
-#}
{{ config(
    materialized='incremental',
    unique_key='cookie_id',
    incremental_strategy='rebuild_keys',
    row_id='_batch_at',
    on_schema_change='fail',
    pre_hook="{{ start_sliced_build(ref('int_web_events')) }}",
    post_hook="{{ build_remaining_slices() }}",
) }}

with

raw_events as {{ not_materialized() }} (

    select * from {{ ref('int_web_events') }}

),

{% if is_incremental() %}
new_rows as (

    {{ loaded_since_last_run('raw_events') }}

),

new_winners as (

    {{ deduplicate('new_rows', 'event_id') }}

),

older_copies as (

    select raw_events.*
    from raw_events
    where
        raw_events.event_id in (select new_rows.event_id from new_rows)
        and raw_events._loaded_at <= ({{ incremental_watermark() }})

),

previous_winners as (

    {{ deduplicate('older_copies', 'event_id') }}

),

-- The pairs a new copy took an event away from.
displaced_pairs as (

    select distinct
        previous_winners.cookie_id,
        previous_winners.customer_id
    from previous_winners
    inner join new_winners on previous_winners.event_id = new_winners.event_id
    where
        previous_winners.cookie_id <> new_winners.cookie_id
        or previous_winners.customer_id is distinct from new_winners.customer_id

),

-- Every copy of every event with a copy in a displaced pair: are any of them still winners?
recount_rows as (

    select raw_events.*
    from raw_events
    where raw_events.event_id in (
        select copies.event_id
        from raw_events as copies
        inner join displaced_pairs
            on
                copies.cookie_id = displaced_pairs.cookie_id
                and copies.customer_id is not distinct from displaced_pairs.customer_id
    )

),

recounted as (

    {{ deduplicate('recount_rows', 'event_id') }}

),

surviving_pairs as (

    select distinct
        recounted.cookie_id,
        recounted.customer_id
    from recounted
    inner join displaced_pairs
        on
            recounted.cookie_id = displaced_pairs.cookie_id
            and recounted.customer_id is not distinct from displaced_pairs.customer_id

),

added_pairs as (

    select distinct
        new_winners.cookie_id,
        new_winners.customer_id
    from new_winners

),

touched_cookies as (

    select added_pairs.cookie_id from added_pairs
    union
    select displaced_pairs.cookie_id from displaced_pairs

),

pairs as (

    select
        held.cookie_id,
        held.customer_id
    from {{ this }} as held
    where
        held.cookie_id in (select touched_cookies.cookie_id from touched_cookies)
        and not exists (
            select 1
            from displaced_pairs
            where
                displaced_pairs.cookie_id = held.cookie_id
                and displaced_pairs.customer_id is not distinct from held.customer_id
        )
    union
    select
        surviving_pairs.cookie_id,
        surviving_pairs.customer_id
    from surviving_pairs
    union
    select
        added_pairs.cookie_id,
        added_pairs.customer_id
    from added_pairs

),
{% else %}
-- A first build runs once per slice of cookies (sliced_build.sql); unsliced, every row.
pairs as (

    select distinct
        winners.cookie_id,
        winners.customer_id
    from ({{ slice_winners('raw_events', 'event_id', 'cookie_id') }}) as winners

),
{% endif %}

final as (

    select
        pairs.cookie_id,
        pairs.customer_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as _batch_at
    from pairs

)

select * from final
{% if is_incremental() %}
-- a touched cookie with no pair left (its only event moved) keeps one marker row (null
-- _batch_at): the rebuild_keys strategy deletes its old rows and does not insert the marker
union all
select
    touched_cookies.cookie_id,
    cast(null as {{ dbt.type_string() }}) as customer_id,
    cast(null as timestamp) as _batch_at
from touched_cookies
where not exists (select 1 from final where final.cookie_id = touched_cookies.cookie_id)
{% endif %}
