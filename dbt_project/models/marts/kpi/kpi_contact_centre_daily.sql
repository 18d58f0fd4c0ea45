{#-
    Contact-centre KPIs per day x channel x queue, for queued voice and chat legs (a leg an
    agent answered without queueing waited 0 s; legs the system dropped are only counted as
    dropped). Every day of
    the data's period is present for every channel and queue (zeros, and null rates, when there
    were no contacts).
-#}
with

contacts as (

    select * from {{ ref('fct_contacts') }}

),

dates as (

    select * from {{ ref('dim_date') }}

),

queued as (

    -- legs the system ended (drops) are neither offered nor answered nor abandoned
    select contacts.*
    from contacts
    where contacts.is_queued and not contacts.is_dropped

),

dropped as (

    select
        contacts.contact_date,
        contacts.channel,
        contacts.queue_key,
        count(*) as dropped
    from contacts
    where contacts.is_dropped and contacts.channel in ('voice', 'chat')
    group by contacts.contact_date, contacts.channel, contacts.queue_key

),

queues as (

    select
        queued.channel,
        queued.queue_key
    from queued
    union
    select
        dropped.channel,
        dropped.queue_key
    from dropped

),

period as (

    select
        min(contacts.contact_date) as first_day,
        max(contacts.contact_date) as last_day
    from contacts

),

grid as (

    select
        dates.date_day,
        queues.channel,
        queues.queue_key
    from dates
    cross join period
    cross join queues
    where dates.date_day between period.first_day and period.last_day

),

daily as (

    select
        queued.contact_date,
        queued.channel,
        queued.queue_key,
        count(*) filter (where queued.is_offered) as offered,
        count(*) filter (where queued.is_offered and queued.is_handled_live) as handled,
        count(*) filter (where queued.is_offered and queued.is_abandoned) as abandoned,
        count(*) filter (where queued.is_short_abandon) as short_abandons,
        sum(queued.queue_wait_seconds) filter (where queued.is_handled_live)
            as answered_wait_seconds,
        count(*) filter (where queued.is_handled_live) as answered,
        count(*) filter (where queued.is_answered_within_service_level)
            as answered_within_service_level,
        count(*) filter (where queued.is_abandoned_after_service_level)
            as abandoned_after_service_level,
        sum(queued.handle_seconds) filter (where queued.is_handled_live) as handle_seconds,
        count(*) filter (where queued.is_handled_live and queued.is_transferred) as transferred
    from queued
    group by queued.contact_date, queued.channel, queued.queue_key

),

final as (

    select
        grid.date_day,
        grid.channel,
        grid.queue_key,
        cast(coalesce(daily.offered, 0) as bigint) as offered,
        cast(coalesce(daily.handled, 0) as bigint) as handled,
        cast(coalesce(daily.abandoned, 0) as bigint) as abandoned,
        cast(coalesce(daily.short_abandons, 0) as bigint) as short_abandons,
        cast(coalesce(dropped.dropped, 0) as bigint) as dropped,
        cast(coalesce(daily.answered, 0) as bigint) as answered,
        cast(coalesce(daily.answered_wait_seconds, 0) as double) as answered_wait_seconds,
        cast(coalesce(daily.handle_seconds, 0) as double) as handle_seconds,
        cast(coalesce(daily.answered_within_service_level, 0) as bigint)
            as answered_within_service_level,
        cast(coalesce(daily.answered + daily.abandoned_after_service_level, 0) as bigint)
            as service_level_base,
        cast(coalesce(daily.transferred, 0) as bigint) as transferred,
        {{ ratio('daily.abandoned', 'daily.offered') }} as abandonment_rate,
        {{ ratio('daily.answered_wait_seconds', 'daily.answered') }}
            as average_speed_of_answer_seconds,
        {{ ratio('daily.handle_seconds', 'daily.handled') }} as average_handle_time_seconds,
        {{ ratio(
            'daily.answered_within_service_level',
            'daily.answered + daily.abandoned_after_service_level'
        ) }} as service_level,
        {{ ratio('daily.transferred', 'daily.handled') }} as transfer_rate
    from grid
    left join daily
        on
            grid.date_day = daily.contact_date
            and grid.channel = daily.channel
            and grid.queue_key = daily.queue_key
    left join dropped
        on
            grid.date_day = dropped.contact_date
            and grid.channel = dropped.channel
            and grid.queue_key = dropped.queue_key

)

select * from final
