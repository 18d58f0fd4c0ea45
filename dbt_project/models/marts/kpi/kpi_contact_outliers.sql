{#-
    Customers to follow up, by pseudonymous key: one row per known customer x flag.
    - 'too many contacts': at least var too_many_contacts contacts (chains: a transfer or a
      callback belongs to its first leg) in the last var contact_outlier_days days of the data;
    - 'unresolved, no follow-up': a service episode whose last contact did not resolve it, with
      no contact about anything from the customer in the var follow_up_days days after it (only
      once those days have passed by the data's end: before that it is not yet too few).
-#}
with

chains as (

    select * from {{ ref('int_contact_chains_windowed') }}
    where is_customer_known

),

journeys as (

    select * from {{ ref('fct_service_journeys') }}
    where is_customer_known

),

data_end as (

    select max(chains.started_at) as data_end_at from chains

),

recent as (

    select
        chains.customer_key,
        count(*) as contacts,
        {{ dbt.listagg('distinct chains.reason', "', '", 'order by chains.reason') }}
            as reasons_contacted,
        max(chains.started_at) as last_contact_at
    from chains
    cross join data_end
    where
        chains.started_at
        > {{ dbt.dateadd('day', -1 * var('contact_outlier_days'), 'data_end.data_end_at') }}
    group by chains.customer_key

),

too_many as (

    select
        recent.customer_key,
        'too many contacts' as flag,
        recent.contacts,
        recent.reasons_contacted as reason,
        recent.last_contact_at
    from recent
    where recent.contacts >= {{ var('too_many_contacts') }}

),

unresolved as (

    select
        journeys.customer_key,
        journeys.episode_id,
        journeys.reason,
        journeys.contacts,
        journeys.ended_at
    from journeys
    cross join data_end
    where
        not journeys.is_resolved
        and {{ dbt.dateadd('day', var('follow_up_days'), 'journeys.ended_at') }}
        <= data_end.data_end_at

),

without_follow_up as (

    select
        unresolved.customer_key,
        count(*) as episodes,
        sum(unresolved.contacts) as contacts,
        {{ dbt.listagg('distinct unresolved.reason', "', '", 'order by unresolved.reason') }}
            as reason,
        max(unresolved.ended_at) as last_contact_at
    from unresolved
    where
        not exists (
            select 1
            from chains
            where
                chains.customer_key = unresolved.customer_key
                and chains.started_at > unresolved.ended_at
                and chains.started_at
                <= {{ dbt.dateadd('day', var('follow_up_days'), 'unresolved.ended_at') }}
        )
    group by unresolved.customer_key

),

flagged as (

    select * from too_many
    union all
    select
        without_follow_up.customer_key,
        'unresolved, no follow-up' as flag,
        without_follow_up.contacts,
        without_follow_up.reason,
        without_follow_up.last_contact_at
    from without_follow_up

),

final as (

    select
        flagged.customer_key,
        flagged.flag,
        cast(flagged.contacts as bigint) as contacts,
        flagged.reason,
        flagged.last_contact_at,
        -- whole days elapsed
        cast(floor(
            {{ seconds_between('flagged.last_contact_at', 'data_end.data_end_at') }} / 86400.0
        ) as integer) as days_since_last_contact,
        data_end.data_end_at
    from flagged
    cross join data_end

)

select * from final
