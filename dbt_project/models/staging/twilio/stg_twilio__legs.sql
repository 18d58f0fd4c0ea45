{#-
    Twilio Programmable Voice calls as canonical contact legs (the columns of
    stg_contact_center__contacts). A call the centre received (inbound) or placed (outbound-api)
    is a leg; the calls it dialled (outbound-dial, parent_call_id = the leg) are its agent
    connections: the first one completed is the answer, its `to` the agent. An inbound call that
    dialled nobody was handled by the TwiML application alone (the IVR). Twilio has no queue
    entry time: the caller waits from the call's start until an agent leg starts, IVR included.
    The call status maps to a disconnect reason through the seed vendor_disconnect_reasons.
    docs/vendors/twilio.md.
-#}
with

source as (

    select * from {{ source('twilio', 'calls') }}

),

-- a call synced again after it changed: the latest change wins
calls as (

    {{ deduplicate(
        'source',
        'id',
        order_by='updated_at desc nulls last, _loaded_at desc, _load_id desc, _row desc'
    ) }}

),

disconnects as (

    select * from {{ ref('vendor_disconnect_reasons') }}
    where vendor = 'twilio'

),

agent_legs as (

    select
        calls.parent_call_id as call_id,
        arg_min(calls."to", calls.start_time) as agent_id,
        min(calls.start_time) as answered_at,
        count(*) as agent_legs
    from calls
    where
        calls.parent_call_id is not null
        and lower(calls.direction) = 'outbound-dial'
        and lower(calls.status) = 'completed'
    group by calls.parent_call_id

),

dialled as (

    select distinct calls.parent_call_id as call_id
    from calls
    where calls.parent_call_id is not null and lower(calls.direction) = 'outbound-dial'

),

final as (

    select
        calls.id as contact_id,
        cast(null as varchar) as initial_contact_id,
        cast(null as varchar) as previous_contact_id,
        'voice' as channel,
        case when lower(calls.direction) = 'inbound' then 'inbound' else 'outbound' end
            as direction,
        case when lower(calls.direction) = 'inbound' then 'inbound' else 'outbound' end
            as initiation_method,
        cast(null as varchar) as customer_id,
        cast(null as varchar) as customer_email_hash,
        {{ hash_pii(
            "case when lower(calls.direction) = 'inbound' then calls.\"from\" else calls.\"to\" end",
            'phone'
        ) }} as customer_phone_hash,
        case when lower(calls.direction) = 'inbound' then 'twiml' end as ivr_path,
        case
            when lower(calls.direction) <> 'inbound' then null
            when dialled.call_id is not null then 'transferred'
            when lower(calls.status) = 'completed' then 'contained'
            else 'abandoned'
        end as ivr_outcome,
        cast(null as varchar) as queue_name,  -- Twilio's call records name no queue
        agent_legs.agent_id,
        coalesce(calls.start_time, calls.created_at) as initiated_at,
        case
            when lower(calls.direction) = 'inbound' and dialled.call_id is not null
                then coalesce(calls.start_time, calls.created_at)
        end as queued_at,
        case
            when lower(calls.direction) = 'inbound' then agent_legs.answered_at
            when lower(calls.status) = 'completed' and calls.duration > 0 then calls.start_time
        end as answered_at,
        coalesce(
            calls.end_time,
            {{ dbt.dateadd('second', 'coalesce(calls.duration, 0)', 'calls.start_time') }}
        ) as ended_at,
        cast(null as timestamp) as acw_ended_at,
        cast(null as integer) as hold_seconds,
        case
            when
                lower(calls.direction) = 'inbound' and dialled.call_id is null
                and lower(calls.status) = 'completed'
                then 'contained'
            when agent_legs.call_id is not null then disconnects.when_answered
            when lower(calls.direction) <> 'inbound' and lower(calls.status) = 'completed'
                then disconnects.when_answered
            else disconnects.when_not_answered
        end as disconnect_reason,
        cast(null as varchar) as contact_reason,
        cast(null as varchar) as disposition,
        cast(null as timestamp) as email_received_at,
        cast(null as timestamp) as email_first_response_at,
        calls._file,
        calls._row,
        calls._load_id,
        calls._loaded_at
    from calls
    left join agent_legs on calls.id = agent_legs.call_id
    left join dialled on calls.id = dialled.call_id
    left join disconnects on lower(calls.status) = disconnects.vendor_value
    -- the legs a call dialled are its agent connections, not contacts of their own
    where not (calls.parent_call_id is not null and lower(calls.direction) = 'outbound-dial')

)

select * from final
