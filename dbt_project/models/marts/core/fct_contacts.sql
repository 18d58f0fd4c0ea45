{#- Incremental by chain: copies the chains int_contacts_identified rewrote. -#}
{{ config(
    materialized='incremental',
    unique_key='chain_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

{% if is_incremental() %}
contacts as (

    {{ rebuilt_since_last_run(ref('int_contacts_identified')) }}

),
{% else %}
contacts as (

    select * from {{ ref('int_contacts_identified') }}

),
{% endif %}

customers as (

    select * from {{ ref('dim_customer') }}

),

final as (

    select
        contacts.contact_id,
        contacts.chain_id,
        contacts.previous_contact_id,
        contacts.customer_key,
        coalesce(customers.customer_sk, '-1') as customer_sk,
        contacts.channel,
        contacts.direction,
        contacts.initiation_method,
        contacts.reason,
        coalesce(contacts.queue_name, '-1') as queue_key,
        coalesce(contacts.agent_id, '-1') as agent_key,
        {{ local_date('contacts.initiated_at') }} as contact_date,
        contacts.initiated_at,
        contacts.queued_at,
        contacts.answered_at,
        contacts.ended_at,
        contacts.acw_ended_at,
        contacts.ivr_path,
        contacts.ivr_outcome,
        contacts.disconnect_reason,
        contacts.disposition,
        cast(contacts.ivr_seconds as double) as ivr_seconds,
        cast(contacts.queue_wait_seconds as double) as queue_wait_seconds,
        cast(contacts.talk_seconds as double) as talk_seconds,
        cast(contacts.hold_seconds as double) as hold_seconds,
        cast(contacts.acw_seconds as double) as acw_seconds,
        cast(contacts.handle_seconds as double) as handle_seconds,
        contacts.email_received_at,
        contacts.email_first_response_at,
        cast(contacts.email_first_reply_seconds as double) as email_first_reply_seconds,
        contacts.is_queued,
        contacts.is_queued and not contacts.is_short_abandon and not contacts.is_callback_requested
        and not contacts.is_dropped
            as is_offered,
        contacts.is_dropped,
        contacts.is_handled_live,
        contacts.is_handled,
        contacts.is_abandoned,
        contacts.is_short_abandon,
        contacts.is_answered_within_service_level,
        contacts.is_abandoned
        and contacts.queue_wait_seconds > {{ var('service_level_seconds') }}
            as is_abandoned_after_service_level,
        contacts.is_callback_requested,
        contacts.is_transferred,
        contacts.is_transfer_leg,
        contacts.is_callback_leg,
        contacts.is_contained,
        contacts.is_resolved,
        contacts.is_email_unanswered,
        contacts._batch_at
    from contacts
    left join customers
        on {{ is_customer_version('customers', 'contacts.customer_key', 'contacts.initiated_at') }}

)

select * from final
