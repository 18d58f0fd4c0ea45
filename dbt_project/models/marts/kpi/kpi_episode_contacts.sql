{#-
    How many contacts it takes: known customers' service episodes (as FCR) by reason x first
    channel x number of contacts in the episode, over the published history.
-#}
with

journeys as (

    select * from {{ ref('fct_service_journeys') }}
    where is_customer_known

),

final as (

    select
        journeys.reason,
        journeys.first_channel,
        cast(journeys.contacts as integer) as contacts_in_episode,
        cast(count(*) as bigint) as episodes,
        cast(count(*) filter (where journeys.is_resolved) as bigint) as resolved_episodes
    from journeys
    group by journeys.reason, journeys.first_channel, journeys.contacts

)

select * from final
