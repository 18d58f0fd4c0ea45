{#-
    Amazon Connect contact records as canonical contact legs (the columns of
    stg_contact_center__contacts). A contact record is a leg: a transfer (TRANSFER,
    QUEUE_TRANSFER) or a queued callback (CALLBACK) is a new contact whose InitialContactId or
    PreviousContactId chains it to the first. An agent's e-mail reply (AGENT_REPLY) is not a leg:
    it is the first response of the e-mail it is related to. A consult (an agent talking to
    another agent, or conferencing them in, while the customer stays with the first) also makes
    a TRANSFER record; it is told apart as AWS documents it: the consulted agent enters
    after-contact work before the agent who consulted, where after a transfer the transferring
    agent does. A consult is not a leg, and the consulting agent's leg was not transferred.
    Codes are mapped by the seeds
    vendor_channels, vendor_disconnect_reasons and vendor_wrapup_codes (the reason comes from a
    contact attribute, var amazon_connect_reason_attribute). docs/vendors/amazon_connect.md.
-#}
with

source as (

    select * from {{ source('amazon_connect', 'contact_records') }}

),

-- every update of a contact is delivered again: the newest LastUpdateTimestamp wins
contact_records as (

    {{ deduplicate(
        'source',
        'contact_id',
        order_by='last_update_timestamp desc nulls last, _loaded_at desc, _load_id desc, _row desc'
    ) }}

),

channels as (

    select * from {{ ref('vendor_channels') }}
    where vendor = 'amazon_connect'

),

disconnects as (

    select * from {{ ref('vendor_disconnect_reasons') }}
    where vendor = 'amazon_connect'

),

wrapups as (

    select * from {{ ref('vendor_wrapup_codes') }}
    where vendor = 'amazon_connect'

),

fields as (

    select
        contact_records.contact_id,
        contact_records.initiation_timestamp,
        upper(contact_records.channel) as vendor_channel,
        upper(contact_records.record ->> 'InitiationMethod') as initiation_method,
        nullif(contact_records.record ->> 'InitialContactId', contact_records.contact_id)
            as initial_contact_id,
        contact_records.record ->> 'PreviousContactId' as previous_contact_id,
        contact_records.record ->> 'RelatedContactId' as related_contact_id,
        contact_records.record -> 'CustomerEndpoint' ->> 'Type' as endpoint_type,
        contact_records.record -> 'CustomerEndpoint' ->> 'Address' as endpoint_address,
        contact_records.record -> 'Attributes'
        ->> '{{ var("amazon_connect_customer_id_attribute") }}' as customer_id,
        contact_records.record -> 'Attributes'
        ->> '{{ var("amazon_connect_reason_attribute") }}' as reason_code,
        contact_records.record -> 'Attributes'
        ->> '{{ var("amazon_connect_ivr_path_attribute") }}' as ivr_path_attribute,
        contact_records.record -> 'Queue' ->> 'Name' as queue_name,
        {{ json_timestamp("contact_records.record -> 'Queue' ->> 'EnqueueTimestamp'") }}
            as queued_at,
        contact_records.record -> 'Agent' ->> 'Username' as agent_id,
        {{ json_timestamp("contact_records.record -> 'Agent' ->> 'ConnectedToAgentTimestamp'") }}
            as answered_at,
        {{ json_timestamp("contact_records.record ->> 'DisconnectTimestamp'") }} as ended_at,
        {{ json_timestamp(
            "contact_records.record -> 'Agent' ->> 'AfterContactWorkStartTimestamp'"
        ) }} as acw_started_at,
        {{ json_timestamp(
            "contact_records.record -> 'Agent' ->> 'AfterContactWorkEndTimestamp'"
        ) }} as acw_ended_at,
        try_cast(contact_records.record -> 'Agent' ->> 'CustomerHoldDuration' as integer)
            as hold_seconds,
        contact_records.record ->> 'DisconnectReason' as vendor_disconnect,
        contact_records.record ->> 'NextContactId' as next_contact_id,
        contact_records._file,
        contact_records._row,
        contact_records._load_id,
        contact_records._loaded_at
    from contact_records

),

-- an agent's reply to an e-mail is a contact of its own in Amazon Connect: the first one is
-- the e-mail's first response
replies as (

    select
        coalesce(fields.related_contact_id, fields.previous_contact_id) as contact_id,
        min(fields.initiation_timestamp) as first_reply_at,
        max(fields._loaded_at) as loaded_at
    from fields
    where fields.initiation_method = 'AGENT_REPLY'
    group by coalesce(fields.related_contact_id, fields.previous_contact_id)

),

callbacks as (

    select
        fields.previous_contact_id as contact_id,
        max(fields._loaded_at) as loaded_at
    from fields
    where fields.initiation_method = 'CALLBACK' and fields.previous_contact_id is not null
    group by fields.previous_contact_id

),

-- the agent reached by a transfer record left before the agent who placed it: a consult or
-- a conference, not a transfer
consults as (

    select
        reached.contact_id,
        reached._loaded_at
    from fields as reached
    inner join fields as placed on reached.previous_contact_id = placed.contact_id
    where
        reached.initiation_method in ('TRANSFER', 'QUEUE_TRANSFER')
        and reached.acw_started_at < placed.acw_started_at

),

final as (

    select
        fields.contact_id,
        coalesce(fields.initial_contact_id, fields.previous_contact_id) as initial_contact_id,
        fields.previous_contact_id,
        case when fields.initiation_method = 'CALLBACK' then 'callback' else channels.channel end
            as channel,
        case
            when fields.initiation_method in ('OUTBOUND', 'CALLBACK', 'EXTERNAL_OUTBOUND')
                then 'outbound'
            else 'inbound'
        end as direction,
        case
            when fields.initiation_method in ('TRANSFER', 'QUEUE_TRANSFER') then 'transfer'
            when fields.initiation_method in ('OUTBOUND', 'EXTERNAL_OUTBOUND') then 'outbound'
            else lower(fields.initiation_method)
        end as initiation_method,
        fields.customer_id,
        {{ hash_pii(
            "case when fields.endpoint_type = 'EMAIL_ADDRESS' then fields.endpoint_address end",
            'email'
        ) }} as customer_email_hash,
        {{ hash_pii(
            "case when fields.endpoint_type = 'TELEPHONE_NUMBER' then fields.endpoint_address end",
            'phone'
        ) }} as customer_phone_hash,
        -- every inbound call runs a contact flow (the IVR) before it queues or ends
        case
            when fields.vendor_channel = 'VOICE' and fields.initiation_method = 'INBOUND'
                then coalesce(fields.ivr_path_attribute, 'contact flow')
        end as ivr_path,
        case
            when fields.vendor_channel <> 'VOICE' or fields.initiation_method <> 'INBOUND' then null
            when fields.queued_at is not null then 'transferred'
            when fields.vendor_disconnect = 'TELECOM_PROBLEM' then null
            else 'contained'
        end as ivr_outcome,
        fields.queue_name,
        fields.agent_id,
        fields.initiation_timestamp as initiated_at,
        fields.queued_at,
        fields.answered_at,
        fields.ended_at,
        fields.acw_ended_at,
        fields.hold_seconds,
        case
            when fields.next_contact_id is not null and consulted.contact_id is null
                then 'transfer'
            when callbacks.contact_id is not null and fields.answered_at is null
                then 'callback_requested'
            when
                fields.queued_at is null and fields.answered_at is null
                and fields.vendor_channel = 'VOICE' and fields.initiation_method = 'INBOUND'
                and coalesce(fields.vendor_disconnect, '') <> 'TELECOM_PROBLEM'
                then 'contained'
            when fields.answered_at is not null then disconnects.when_answered
            else disconnects.when_not_answered
        end as disconnect_reason,
        coalesce(wrapups.contact_reason, lower(fields.reason_code)) as contact_reason,
        wrapups.disposition,
        case when fields.vendor_channel = 'EMAIL' then fields.initiation_timestamp end
            as email_received_at,
        case when fields.vendor_channel = 'EMAIL' then replies.first_reply_at end
            as email_first_response_at,
        fields._file,
        fields._row,
        fields._load_id,
        -- a reply or a callback loaded later changes this leg: it counts as loaded then
        greatest(
            fields._loaded_at,
            coalesce(replies.loaded_at, fields._loaded_at),
            coalesce(callbacks.loaded_at, fields._loaded_at),
            coalesce(consulted._loaded_at, fields._loaded_at)
        ) as _loaded_at
    from fields
    left join channels on fields.vendor_channel = channels.vendor_value
    left join disconnects on fields.vendor_disconnect = disconnects.vendor_value
    left join wrapups on fields.reason_code = wrapups.wrapup_code
    left join replies on fields.contact_id = replies.contact_id
    left join callbacks on fields.contact_id = callbacks.contact_id
    left join consults as consulted on fields.next_contact_id = consulted.contact_id
    -- a channel the seed does not list (TASK: back-office work) is not a customer contact
    where
        fields.initiation_method is distinct from 'AGENT_REPLY' and channels.channel is not null
        and fields.contact_id not in (select consults.contact_id from consults)

)

select * from final
