{#-
    Self-service KPIs per day x channel (ivr, bot) x reason x customer segment. A session is a
    bot leg, or the IVR part of an inbound call.
-#}
with

contacts as (

    select * from {{ ref('fct_contacts') }}

),

chains as (

    select * from {{ ref('int_contact_chains_windowed') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

episode_ends as (

    select
        chains.episode_id,
        max(chains.chain_number_in_episode) as last_chain_number
    from chains
    group by chains.episode_id

),

sessions as (

    select
        contacts.contact_date,
        {{ self_service_kind('contacts') }} as channel,
        contacts.reason,
        coalesce(customers.segment, 'unknown') as segment,
        contacts.ivr_outcome is not null as has_outcome,
        contacts.is_contained,
        contacts.is_contained
        and chains.chain_number_in_episode = episode_ends.last_chain_number
            as is_resolved_contained
    from contacts
    inner join chains on contacts.chain_id = chains.chain_id
    inner join episode_ends on chains.episode_id = episode_ends.episode_id
    left join customers on contacts.customer_sk = customers.customer_sk
    where {{ is_self_service_session('contacts') }}

),

final as (

    select
        sessions.contact_date as date_day,
        sessions.channel,
        sessions.reason,
        sessions.segment,
        cast(count(*) as bigint) as sessions,
        -- an export without IVR/bot outcomes cannot say what was contained: no data, not 0
        cast(count(*) filter (where sessions.has_outcome) as bigint) as sessions_with_outcome,
        cast(count(*) filter (where sessions.is_contained) as bigint) as contained,
        cast(count(*) filter (where sessions.is_resolved_contained) as bigint)
            as resolved_contained,
        {{ ratio(
            'count(*) filter (where sessions.is_contained)',
            'count(*) filter (where sessions.has_outcome)'
        ) }} as containment_rate,
        {{ ratio(
            'count(*) filter (where sessions.is_resolved_contained)',
            'count(*) filter (where sessions.has_outcome)'
        ) }} as resolved_containment_rate
    from sessions
    group by sessions.contact_date, sessions.channel, sessions.reason, sessions.segment

)

select * from final
