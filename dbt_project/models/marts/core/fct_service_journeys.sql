with

chains as (

    select * from {{ ref('int_contact_chains_windowed') }}

),

surveys as (

    select * from {{ ref('int_survey_responses_identified') }}

),

sessions as (

    select * from {{ ref('fct_web_sessions') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

chain_sequence as (

    select
        chains.*,
        lag(chains.channel) over episode_order as previous_channel,
        -- within the episode: an episode's first contact follows none of it (its
        -- previous_started_at is the customer's earlier episode about the reason, if any)
        case
            when chains.chain_number_in_episode > 1
                then {{ seconds_between('chains.previous_started_at', 'chains.started_at') }}
        end as seconds_since_previous,
        min(case when chains.is_assisted then chains.chain_number_in_episode end)
            over (partition by chains.episode_id) as first_assisted_number,
        max(chains.chain_number_in_episode) over (partition by chains.episode_id) as last_number
    from chains
    window episode_order as (
        partition by chains.episode_id order by chains.chain_number_in_episode
    )

),

episodes as (

    select
        chain_sequence.episode_id,
        min(chain_sequence.customer_key) as customer_key,
        max(case when chain_sequence.is_customer_known then 1 else 0 end) = 1
            as is_customer_known,
        min(chain_sequence.reason) as reason,
        min(case when chain_sequence.chain_number_in_episode = 1 then chain_sequence.channel end)
            as first_channel,
        min(chain_sequence.started_at) as started_at,
        max(chain_sequence.ended_at) as ended_at,
        count(*) as contacts,
        sum(case when chain_sequence.is_assisted then 1 else 0 end) as assisted_contacts,
        count(distinct chain_sequence.channel) as channels,
        string_agg(chain_sequence.channel, ' > ' order by chain_sequence.chain_number_in_episode)
            as channel_path,
        sum(
            case
                when
                    chain_sequence.chain_number_in_episode > 1
                    and chain_sequence.channel <> chain_sequence.previous_channel then 1
                else 0
            end
        ) as channel_switches,
        max(case when chain_sequence.has_self_service then 1 else 0 end) = 1
            as has_self_service,
        min(case when chain_sequence.is_contained then 1 else 0 end) = 1
            as is_self_service_contained,
        max(
            case
                when
                    chain_sequence.chain_number_in_episode = chain_sequence.last_number
                    and chain_sequence.is_resolved then 1
                else 0
            end
        ) = 1 as is_resolved,
        min(chain_sequence.first_assisted_number) as first_assisted_number,
        max(chain_sequence.last_number) as last_number,
        avg(chain_sequence.seconds_since_previous) / 3600.0 as mean_hours_between_contacts,
        max(chain_sequence.seconds_since_previous) / 3600.0 as max_hours_between_contacts
    from chain_sequence
    group by chain_sequence.episode_id

),

episode_surveys as (

    select
        surveys.episode_id,
        count(*) as survey_responses,
        avg(case when surveys.csat_score between 1 and 5 then surveys.csat_score end) as csat_mean,
        avg(case when surveys.ces_score between 1 and 7 then surveys.ces_score end) as ces_mean
    from surveys
    where surveys.episode_id is not null
    group by surveys.episode_id

),

escalations as (

    select distinct chains.episode_id
    from chains
    inner join sessions on {{ is_digital_escalation('sessions', 'chains') }}

),

final as (

    select
        episodes.episode_id,
        episodes.customer_key,
        coalesce(customers.customer_sk, '-1') as customer_sk,
        episodes.is_customer_known,
        episodes.reason,
        episodes.first_channel,
        {{ local_date('episodes.started_at') }} as episode_date,
        episodes.started_at,
        episodes.ended_at,
        cast(episodes.contacts as integer) as contacts,
        cast(episodes.assisted_contacts as integer) as assisted_contacts,
        cast(episodes.channels as integer) as channels,
        cast(episodes.channel_switches as integer) as channel_switches,
        episodes.channel_path,
        episodes.has_self_service,
        episodes.is_self_service_contained,
        escalations.episode_id is not null as is_escalated_from_digital,
        episodes.is_resolved,
        episodes.assisted_contacts = 1 and episodes.first_assisted_number = episodes.last_number
            as is_first_contact_resolved,
        case
            when episodes.is_resolved
                then cast(
                    {{ seconds_between('episodes.started_at', 'episodes.ended_at') }}
                    / 3600.0 as double
                )
        end as time_to_resolution_hours,
        cast(episodes.mean_hours_between_contacts as double) as mean_hours_between_contacts,
        cast(episodes.max_hours_between_contacts as double) as max_hours_between_contacts,
        cast(coalesce(episode_surveys.survey_responses, 0) as integer) as survey_responses,
        cast(episode_surveys.csat_mean as double) as csat_mean,
        cast(episode_surveys.ces_mean as double) as ces_mean
    from episodes
    left join escalations on episodes.episode_id = escalations.episode_id
    left join episode_surveys on episodes.episode_id = episode_surveys.episode_id
    left join customers
        on {{ is_customer_version('customers', 'episodes.customer_key', 'episodes.started_at') }}

)

select * from final
