{#-
    One row per contact leg, with its customer (CRM id, else e-mail, else phone, else an
    anonymous key), its conformed reason, the chain it belongs to (transfer, callback and bot
    hand-off legs carry their first leg's id as chain_id) and its measures and flags.

    Incremental by chain: every run rebuilds the chains with a leg loaded since the last run,
    or with an identifier (CRM id, e-mail, phone) of a CRM customer loaded or merged since.
-#}
-- depends_on: {{ ref('int_crm_changes') }}
{{ config(
    materialized='incremental',
    unique_key='chain_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

all_contacts as (

    select
        *,
        coalesce(initial_contact_id, contact_id) as source_chain_id
    from {{ ref('int_contact_legs') }}

),

{% if is_incremental() %}
crm as (

    select * from {{ ref('int_crm_changes') }}

),

new_crm as (

    {{ loaded_since_last_run('crm') }}

),

touched_chains as (

    select new_contacts.source_chain_id
    from ({{ loaded_since_last_run('all_contacts') }}) as new_contacts
    union
    -- three equi-joins, not one join on a = b or c = d or e = f (a nested loop over all legs)
    select all_contacts.source_chain_id
    from all_contacts
    inner join new_crm on all_contacts.customer_id = new_crm.customer_id
    union
    select all_contacts.source_chain_id
    from all_contacts
    inner join new_crm on all_contacts.customer_email_hash = new_crm.email_hash
    union
    select all_contacts.source_chain_id
    from all_contacts
    inner join new_crm on all_contacts.customer_phone_hash = new_crm.phone_hash

),

contacts as (

    select all_contacts.*
    from all_contacts
    inner join touched_chains on all_contacts.source_chain_id = touched_chains.source_chain_id

),
{% else %}
contacts as (

    select * from all_contacts

),
{% endif %}

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

reasons as (

    select * from {{ ref('contact_reasons') }}

),

identified as (

    select
        contacts.*,
        coalesce(
            case when not by_id.is_anonymous then by_id.customer_key end,
            case when not by_email.is_anonymous then by_email.customer_key end,
            case when not by_phone.is_anonymous then by_phone.customer_key end,
            by_id.customer_key,
            by_email.customer_key,
            by_phone.customer_key,
            {{ anonymous_key("'contact'", 'contacts.contact_id') }}
        ) as leg_customer_key,
        -- the leg carried a CRM id, e-mail or phone: its contacts can be linked (repeats seen)
        coalesce(by_id.customer_key, by_email.customer_key, by_phone.customer_key) is not null
            as is_leg_customer_known,
        coalesce(
            not by_id.is_anonymous or not by_email.is_anonymous or not by_phone.is_anonymous, false
        ) as is_crm_customer
    from contacts
    left join identifiers as by_id
        on by_id.identifier_type = 'customer_id' and contacts.customer_id = by_id.identifier_value
    left join identifiers as by_email
        on
            by_email.identifier_type = 'email_hash'
            and contacts.customer_email_hash = by_email.identifier_value
    left join identifiers as by_phone
        on
            by_phone.identifier_type = 'phone_hash'
            and contacts.customer_phone_hash = by_phone.identifier_value

),

-- A contact is a chain: every leg belongs to the chain's customer, the customer of its first
-- leg identified as a CRM customer, else of its first leg carrying any identifier, else the
-- chain's first leg (an anonymous key). A bot leg handed off to an identified chat is the
-- chat's customer's.
chained as (

    select
        identified.*,
        coalesce(
            {{ first_value_ignoring_nulls(
                'case when identified.is_crm_customer then identified.leg_customer_key end'
            ) }} over chain_order,
            {{ first_value_ignoring_nulls(
                'case when identified.is_leg_customer_known then identified.leg_customer_key end'
            ) }} over chain_order,
            first_value(identified.leg_customer_key) over chain_order
        ) as customer_key,
        bool_or(identified.is_leg_customer_known) over (partition by identified.source_chain_id)
            as is_customer_known
    from identified
    window chain_order as (
        partition by identified.source_chain_id
        order by identified.initiated_at, identified.contact_id
        rows between unbounded preceding and unbounded following
    )

),

transferred as (

    select distinct contacts.previous_contact_id as contact_id
    from contacts
    where contacts.initiation_method = 'transfer' and contacts.previous_contact_id is not null

),

queue_entries as (

    -- When the leg reached the agents: its queue entry, or, for an inbound leg an agent
    -- answered without queueing (a free agent took it at once), the answer: it waited 0 s.
    select
        chained.*,
        case
            when chained.channel in ('voice', 'chat')
                then coalesce(
                    chained.queued_at,
                    case
                        when coalesce(chained.direction, 'inbound') <> 'outbound'
                            then chained.answered_at
                    end
                )
        end as queue_entered_at
    from chained

),

measured as (

    select
        queue_entries.*,
        coalesce(reasons.reason, 'unknown') as reason,
        queue_entries.queue_entered_at is not null as is_queued,
        -- the system ended the leg (a phantom call, a switch drop): not a customer's choice
        coalesce(queue_entries.disconnect_reason = 'system', false) as is_dropped,
        coalesce(queue_entries.disconnect_reason = 'callback_requested', false)
            as is_callback_requested,
        case
            when queue_entries.queue_entered_at is not null
                then {{ seconds_between(
                    'queue_entries.queue_entered_at',
                    'coalesce(queue_entries.answered_at, queue_entries.ended_at)'
                ) }}
        end as queue_wait_seconds,
        case
            when queue_entries.ivr_path is not null
                then {{ seconds_between(
                    'queue_entries.initiated_at',
                    'coalesce(queue_entries.queued_at, queue_entries.answered_at, queue_entries.ended_at)'
                ) }}
            else 0
        end as ivr_seconds,
        case
            when queue_entries.answered_at is not null and queue_entries.channel <> 'email'
                then
                    {{ seconds_between('queue_entries.answered_at', 'queue_entries.ended_at') }}
                    - coalesce(queue_entries.hold_seconds, 0)
        end as talk_seconds,
        case
            when queue_entries.acw_ended_at is not null and queue_entries.channel <> 'email'
                then {{ seconds_between('queue_entries.ended_at', 'queue_entries.acw_ended_at') }}
        end as acw_seconds,
        case
            when queue_entries.channel = 'email'
                then {{ seconds_between(
                    'queue_entries.email_received_at', 'queue_entries.email_first_response_at'
                ) }}
        end as email_first_reply_seconds,
        transferred.contact_id is not null as is_transferred
    from queue_entries
    -- a code as exported, with surrounding spaces or in capitals (' Billing '), is the same code
    left join reasons on lower(trim(queue_entries.contact_reason)) = reasons.reason_code
    left join transferred on queue_entries.contact_id = transferred.contact_id

),

final as (

    select
        measured.contact_id,
        measured.source_chain_id as chain_id,
        measured.previous_contact_id,
        measured.customer_key,
        measured.is_customer_known,
        measured.channel,
        measured.direction,
        measured.initiation_method,
        measured.reason,
        measured.ivr_path,
        measured.ivr_outcome,
        measured.queue_name,
        measured.agent_id,
        measured.initiated_at,
        measured.queued_at,
        measured.answered_at,
        measured.ended_at,
        measured.acw_ended_at,
        measured.disconnect_reason,
        measured.disposition,
        measured.email_received_at,
        measured.email_first_response_at,
        measured.ivr_seconds,
        measured.queue_wait_seconds,
        measured.talk_seconds,
        case when measured.answered_at is not null then coalesce(measured.hold_seconds, 0) end
            as hold_seconds,
        measured.acw_seconds,
        measured.talk_seconds + coalesce(measured.hold_seconds, 0) + coalesce(measured.acw_seconds, 0)
            as handle_seconds,
        measured.email_first_reply_seconds,
        measured.is_queued,
        measured.is_callback_requested,
        measured.is_dropped,
        measured.is_queued and measured.answered_at is null and not measured.is_callback_requested
        and not measured.is_dropped
            as is_abandoned,
        measured.is_queued and measured.answered_at is null and not measured.is_callback_requested
        and not measured.is_dropped
        and measured.queue_wait_seconds < {{ var('short_abandon_seconds') }} as is_short_abandon,
        -- a leg the system dropped is neither offered nor handled, even after an answer
        measured.answered_at is not null and measured.channel in ('voice', 'chat', 'callback')
        and not measured.is_dropped
            as is_handled_live,
        not measured.is_dropped
        and (
            (measured.answered_at is not null and measured.channel in ('voice', 'chat', 'callback'))
            or (measured.channel = 'email' and measured.email_first_response_at is not null)
        ) as is_handled,
        measured.is_queued and measured.answered_at is not null and not measured.is_dropped
        and measured.queue_wait_seconds <= {{ var('service_level_seconds') }}
            as is_answered_within_service_level,
        measured.is_transferred,
        measured.initiation_method = 'transfer' as is_transfer_leg,
        measured.channel = 'callback' as is_callback_leg,
        coalesce(measured.ivr_outcome = 'contained', false) as is_contained,
        -- a dropped leg cannot resolve anything, whatever its disposition says
        not measured.is_dropped
        and coalesce(
            measured.disposition = 'resolved' or measured.ivr_outcome = 'contained', false
        ) as is_resolved,
        measured.channel = 'email'
        and (
            measured.email_first_response_at is null
            or measured.email_first_reply_seconds > {{ var('email_reply_sla_hours') }} * 3600
        ) as is_email_unanswered,
        measured._loaded_at,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as _batch_at
    from measured

)

select * from final
