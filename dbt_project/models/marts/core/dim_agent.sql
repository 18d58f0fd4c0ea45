with

contacts as (

    select * from {{ ref('int_contacts_identified') }}

),

agents as (

    select
        contacts.agent_id as agent_key,
        min(contacts.initiated_at) as first_contact_at,
        max(contacts.initiated_at) as last_contact_at
    from contacts
    where contacts.agent_id is not null
    group by contacts.agent_id

),

final as (

    select
        agents.agent_key,
        agents.first_contact_at,
        agents.last_contact_at,
        false as is_unknown
    from agents
    union all
    select
        '-1' as agent_key,
        cast(null as timestamp) as first_contact_at,
        cast(null as timestamp) as last_contact_at,
        true as is_unknown

)

select * from final
