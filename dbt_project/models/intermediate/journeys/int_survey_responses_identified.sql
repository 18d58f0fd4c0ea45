{#-
    One row per survey response with its customer (CRM id, else e-mail, else the surveyed
    contact's customer, else an anonymous key) and, for post-contact surveys, the contact and
    service episode it followed.
-#}
with

responses as (

    select * from {{ ref('int_survey_responses') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

contacts as (

    select * from {{ ref('int_contacts_identified') }}

),

chains as (

    select * from {{ ref('int_contact_chains_windowed') }}

),

final as (

    select
        responses.*,
        contacts.contact_id as known_contact_id,
        chains.episode_id,
        coalesce(
            case when not by_id.is_anonymous then by_id.customer_key end,
            case when not by_email.is_anonymous then by_email.customer_key end,
            contacts.customer_key,
            by_id.customer_key,
            by_email.customer_key,
            {{ anonymous_key("'survey'", 'responses.response_id') }}
        ) as customer_key
    from responses
    left join identifiers as by_id
        on by_id.identifier_type = 'customer_id' and responses.customer_id = by_id.identifier_value
    left join identifiers as by_email
        on
            by_email.identifier_type = 'email_hash'
            and responses.customer_email_hash = by_email.identifier_value
    left join contacts on responses.contact_id = contacts.contact_id
    left join chains on contacts.chain_id = chains.chain_id

)

select * from final
