{#-
    Where self-service fails, over the published history: one row per kind (ivr, bot,
    help_centre) x reason x session_path. An IVR or bot session (a self-service attempt by the
    seed self_service_paths: a caller only routed to an agent is none) fails when an assisted
    contact about the same reason follows it: the same contact went to an agent, or a later
    contact of its episode (same reason, within var repeat_window_days) was assisted. A
    help-centre visit fails when an assisted contact of the customer follows within var
    escalation_window_hours (the macro is_digital_escalation); a visit has no reason of its own,
    so help-centre visits are one row, reason 'any' (splitting them by the reason of the contact
    that followed would read 100 % failure for every reason). The failure rate of a kind and
    path over its reasons has its Wilson interval and support.
-#}
with

contacts as (

    select * from {{ ref('fct_contacts') }}

),

chains as (

    select * from {{ ref('int_contact_chains_windowed') }}

),

web_sessions as (

    select * from {{ ref('fct_web_sessions') }}

),

assisted_later as (

    -- episodes' chains with an assisted chain at or after them
    select
        chains.chain_id,
        max(case when later.is_assisted then 1 else 0 end) = 1 as has_assisted_after
    from chains
    inner join chains as later
        on
            chains.episode_id = later.episode_id
            and chains.chain_number_in_episode <= later.chain_number_in_episode
    group by chains.chain_id

),

bot_ivr as (

    select
        {{ self_service_kind('contacts') }} as kind,
        contacts.reason,
        coalesce(contacts.ivr_path, '(no path)') as session_path,
        assisted_later.has_assisted_after as is_failed
    from contacts
    inner join assisted_later on contacts.chain_id = assisted_later.chain_id
    where {{ is_self_service_session('contacts') }}

),

help_visits as (

    select web_sessions.*
    from web_sessions
    where web_sessions.has_help_centre

),

visit_escalations as (

    select
        ranked.session_id,
        ranked.reason
    from (
        select
            help_visits.session_id,
            chains.reason,
            row_number() over (
                partition by help_visits.session_id order by chains.started_at, chains.chain_id
            ) as escalation_order
        from help_visits
        inner join chains on {{ is_digital_escalation('help_visits', 'chains') }}
    ) as ranked
    where ranked.escalation_order = 1

),

help_centre as (

    select
        'help_centre' as kind,
        'any' as reason,
        'help centre' as session_path,
        visit_escalations.session_id is not null as is_failed
    from help_visits
    left join visit_escalations on help_visits.session_id = visit_escalations.session_id

),

sessions as (

    select * from bot_ivr
    union all
    select * from help_centre

),

counted as (

    select
        sessions.kind,
        sessions.reason,
        sessions.session_path,
        count(*) as sessions,
        count(*) filter (where sessions.is_failed) as failed_sessions
    from sessions
    group by sessions.kind, sessions.reason, sessions.session_path

),

by_path as (

    select
        counted.kind,
        counted.session_path,
        sum(counted.sessions) as path_sessions,
        sum(counted.failed_sessions) as path_failed_sessions
    from counted
    group by counted.kind, counted.session_path

),

final as (

    select
        counted.kind,
        counted.reason,
        counted.session_path,
        cast(counted.sessions as bigint) as sessions,
        cast(counted.failed_sessions as bigint) as failed_sessions,
        {{ ratio('counted.failed_sessions', 'counted.sessions') }} as failure_rate,
        cast(by_path.path_sessions as bigint) as path_sessions,
        cast(by_path.path_failed_sessions as bigint) as path_failed_sessions,
        {{ ratio('by_path.path_failed_sessions', 'by_path.path_sessions') }}
            as path_failure_rate,
        {{ wilson_bound('by_path.path_failed_sessions', 'by_path.path_sessions', 'low') }}
            as path_failure_rate_low,
        {{ wilson_bound('by_path.path_failed_sessions', 'by_path.path_sessions', 'high') }}
            as path_failure_rate_high,
        by_path.path_sessions >= {{ var('min_support') }} as has_support
    from counted
    inner join by_path on counted.kind = by_path.kind and counted.session_path = by_path.session_path

)

select * from final
