{#-
    Zendesk Support tickets as canonical contact legs (the columns of
    stg_contact_center__contacts): a ticket is one leg, in the channel its `via_channel` maps to
    (vendor_channels: e-mail and web forms are e-mail, chat and messaging are chat; a channel the
    seed does not list, such as voice, whose calls are in the telephony export, is not a leg). Its
    first reply is the first public comment by an agent or admin; the requester's e-mail, phone
    and external id (the CRM id) identify the customer. docs/vendors/zendesk.md.
-#}
with

tickets_source as (

    select * from {{ source('zendesk_tickets', 'tickets') }}

),

comments_source as (

    select * from {{ source('zendesk_ticket_comments', 'ticket_comments') }}

),

users_source as (

    select * from {{ source('zendesk_users', 'users') }}

),

-- a record synced again after it changed: the latest change wins
tickets as (

    {{ deduplicate(
        'tickets_source',
        'id',
        order_by='updated_at desc nulls last, _loaded_at desc, _load_id desc, _row desc'
    ) }}

),

comments as (

    {{ deduplicate('comments_source', 'id') }}

),

users as (

    {{ deduplicate(
        'users_source',
        'id',
        order_by='updated_at desc nulls last, _loaded_at desc, _load_id desc, _row desc'
    ) }}

),

channels as (

    select * from {{ ref('vendor_channels') }}
    where vendor = 'zendesk'

),

wrapups as (

    select * from {{ ref('vendor_wrapup_codes') }}
    where vendor = 'zendesk'

),

queues as (

    select * from {{ ref('vendor_queues') }}
    where vendor = 'zendesk'

),

agent_replies as (

    select
        comments.ticket_id,
        min(comments.created) as first_reply_at,
        max(comments.created) as last_reply_at,
        arg_min(comments.user_id, comments.created) as first_agent_id
    from comments
    inner join tickets on comments.ticket_id = tickets.id
    inner join users on comments.user_id = users.id
    where
        comments.public
        and users.role in ('agent', 'admin')
        and comments.user_id is distinct from tickets.requester_id
        and comments.created >= tickets.created_at
    group by comments.ticket_id

),

-- a ticket's leg changes when a comment or its requester arrives later: the leg counts as
-- loaded with its latest part, so incremental models rebuild it
comment_loads as (

    select
        comments.ticket_id,
        max(comments._loaded_at) as loaded_at
    from comments
    group by comments.ticket_id

),

final as (

    select
        'zendesk:' || tickets.id as contact_id,
        cast(null as varchar) as initial_contact_id,
        cast(null as varchar) as previous_contact_id,
        channels.channel,
        'inbound' as direction,
        'inbound' as initiation_method,
        requesters.external_id as customer_id,
        {{ hash_pii('coalesce(requesters.email, tickets.via_source_from_address)', 'email') }}
            as customer_email_hash,
        {{ hash_pii('requesters.phone', 'phone') }} as customer_phone_hash,
        cast(null as varchar) as ivr_path,
        cast(null as varchar) as ivr_outcome,
        coalesce(queues.queue_name, tickets.group_id) as queue_name,
        coalesce(agent_replies.first_agent_id, tickets.assignee_id) as agent_id,
        tickets.created_at as initiated_at,
        case when channels.channel = 'chat' then tickets.created_at end as queued_at,
        case when channels.channel = 'chat' then agent_replies.first_reply_at end as answered_at,
        coalesce(agent_replies.last_reply_at, tickets.created_at) as ended_at,
        cast(null as timestamp) as acw_ended_at,
        cast(null as integer) as hold_seconds,
        case
            when channels.channel = 'chat' and agent_replies.ticket_id is null then 'abandoned'
        end as disconnect_reason,
        coalesce(
            wrapups.contact_reason,
            lower(tickets._extra ->> '{{ var("zendesk_reason_field") }}')
        ) as contact_reason,
        case
            when tickets.status in ('solved', 'closed') then 'resolved'
            when tickets.status in ('pending', 'hold') then 'follow_up'
            else 'unresolved'
        end as disposition,
        case when channels.channel = 'email' then tickets.created_at end as email_received_at,
        case when channels.channel = 'email' then agent_replies.first_reply_at end
            as email_first_response_at,
        tickets._file,
        tickets._row,
        tickets._load_id,
        greatest(
            tickets._loaded_at,
            coalesce(comment_loads.loaded_at, tickets._loaded_at),
            coalesce(requesters._loaded_at, tickets._loaded_at)
        ) as _loaded_at
    from tickets
    inner join channels on lower(tickets.via_channel) = channels.vendor_value
    left join users as requesters on tickets.requester_id = requesters.id
    left join agent_replies on tickets.id = agent_replies.ticket_id
    left join comment_loads on tickets.id = comment_loads.ticket_id
    left join wrapups on lower(tickets._extra ->> '{{ var("zendesk_reason_field") }}') = wrapups.wrapup_code
    left join queues on tickets.group_id = queues.queue_id
    where tickets.status is distinct from 'deleted'

)

select * from final
