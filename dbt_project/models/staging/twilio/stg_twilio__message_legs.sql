{#-
    Twilio messages as canonical contact legs: a conversation between a customer's number and
    the centre's number is one leg. It starts with a message after var
    twilio_conversation_gap_hours of silence between the two, and is a contact only when the
    customer wrote in it (a run of notifications the centre sent is not). The leg starts at the
    customer's first message; it is answered by the centre's first message after it that was
    not refused (undelivered, failed, canceled); it ends with the conversation's last message.
    Messages wait in no queue: a conversation is a touchpoint of the journey, not an offered
    contact of the queue KPIs. The channel is vendor_channels' row for `sms` (chat by default).
    docs/vendors/twilio.md.
-#}
with

source as (

    select * from {{ source('twilio_messages', 'messages') }}

),

-- a message synced again after its status changed: the latest change wins
messages as (

    {{ deduplicate(
        'source',
        'id',
        order_by='updated_at desc nulls last, _loaded_at desc, _load_id desc, _row desc'
    ) }}

),

channels as (

    select * from {{ ref('vendor_channels') }}
    where vendor = 'twilio' and vendor_value = 'sms'

),

sides as (

    select
        messages.id,
        coalesce(messages.date_sent, messages.created_at) as sent_at,
        lower(messages.direction) = 'inbound' as is_inbound,
        lower(messages.direction) <> 'inbound'
        and lower(messages.status) not in ('undelivered', 'failed', 'canceled') as is_reply,
        case
            when lower(messages.direction) = 'inbound' then messages."from" else messages."to"
        end as customer_address,
        case
            when lower(messages.direction) = 'inbound' then messages."to" else messages."from"
        end as centre_address,
        messages._file,
        messages._row,
        messages._load_id,
        messages._loaded_at
    from messages

),

gaps as (

    select
        sides.*,
        case
            when
                lag(sides.sent_at) over pair is null
                or sides.sent_at
                > {{ dbt.dateadd(
                    'hour', var('twilio_conversation_gap_hours'), 'lag(sides.sent_at) over pair'
                ) }}
                then 1
            else 0
        end as starts_conversation
    from sides
    window pair as (
        partition by sides.customer_address, sides.centre_address
        order by sides.sent_at asc, sides.id asc
    )

),

numbered as (

    select
        gaps.*,
        sum(gaps.starts_conversation) over (
            partition by gaps.customer_address, gaps.centre_address
            order by gaps.sent_at asc, gaps.id asc
            rows between unbounded preceding and current row
        ) as conversation_number
    from gaps

),

conversations as (

    select
        numbered.customer_address,
        numbered.centre_address,
        numbered.conversation_number,
        arg_min(numbered.id, numbered.sent_at) filter (where numbered.is_inbound) as contact_id,
        min(numbered.sent_at) filter (where numbered.is_inbound) as first_inbound_at,
        max(numbered.sent_at) as last_message_at,
        arg_max(numbered.is_inbound, numbered.sent_at) as customer_wrote_last,
        arg_min(numbered._file, numbered.sent_at) filter (where numbered.is_inbound) as _file,
        arg_min(numbered._row, numbered.sent_at) filter (where numbered.is_inbound) as _row,
        arg_min(numbered._load_id, numbered.sent_at) filter (where numbered.is_inbound)
            as _load_id,
        -- a reply loaded a day later changes the leg: it counts as loaded then
        max(numbered._loaded_at) as _loaded_at
    from numbered
    group by numbered.customer_address, numbered.centre_address, numbered.conversation_number
    having count(*) filter (where numbered.is_inbound) > 0

),

-- the centre's first message after the customer's first, that reached them
replies as (

    select
        conversations.contact_id,
        min(numbered.sent_at) as answered_at
    from conversations
    inner join numbered
        on
            conversations.customer_address = numbered.customer_address
            and conversations.centre_address = numbered.centre_address
            and conversations.conversation_number = numbered.conversation_number
    where numbered.is_reply and numbered.sent_at >= conversations.first_inbound_at
    group by conversations.contact_id

),

final as (

    select
        conversations.contact_id,
        cast(null as varchar) as initial_contact_id,
        cast(null as varchar) as previous_contact_id,
        channels.channel,
        'inbound' as direction,
        'inbound' as initiation_method,
        cast(null as varchar) as customer_id,
        cast(null as varchar) as customer_email_hash,
        {{ hash_pii(phone_from_address('conversations.customer_address'), 'phone') }} as customer_phone_hash,
        cast(null as varchar) as ivr_path,
        cast(null as varchar) as ivr_outcome,
        cast(null as varchar) as queue_name,
        cast(null as varchar) as agent_id,  -- Twilio's message records name no agent
        conversations.first_inbound_at as initiated_at,
        cast(null as timestamp) as queued_at,
        replies.answered_at,
        conversations.last_message_at as ended_at,
        cast(null as timestamp) as acw_ended_at,
        cast(null as integer) as hold_seconds,
        case
            when conversations.customer_wrote_last then 'customer_disconnect'
            else 'agent_disconnect'
        end as disconnect_reason,
        cast(null as varchar) as contact_reason,
        cast(null as varchar) as disposition,
        cast(null as timestamp) as email_received_at,
        cast(null as timestamp) as email_first_response_at,
        conversations._file,
        conversations._row,
        conversations._load_id,
        conversations._loaded_at
    from conversations
    cross join channels
    left join replies on conversations.contact_id = replies.contact_id

)

select * from final
