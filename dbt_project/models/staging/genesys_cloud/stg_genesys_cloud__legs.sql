{#-
    Genesys Cloud conversation-detail records as canonical contact legs (the columns of
    stg_contact_center__contacts). A leg is a queue visit (an acd session) with the agent session
    that answered it, an agent session reached without a queue (a direct transfer, an
    agent-dialled call; not a consult, whose agent leaves while the consulting agent stays), or, for a conversation that never reached a queue or an agent, its
    IVR/bot session; a chat or message conversation that went through a bot flow first gets a bot
    leg before its agent legs. The legs of a conversation form one chain (the first leg's id is
    the conversationId). Code lists are seeds: vendor_channels, vendor_disconnect_reasons,
    vendor_wrapup_codes, vendor_queues. docs/vendors/genesys_cloud.md maps every field.
-#}
with

source as (

    select * from {{ source('genesys_cloud', 'conversations') }}

),

-- an open conversation exported again once ended: the latest load wins
conversations as (

    {{ deduplicate('source', 'conversation_id') }}

),

channels as (

    select * from {{ ref('vendor_channels') }}
    where vendor = 'genesys_cloud'

),

disconnects as (

    select * from {{ ref('vendor_disconnect_reasons') }}
    where vendor = 'genesys_cloud'

),

wrapups as (

    select * from {{ ref('vendor_wrapup_codes') }}
    where vendor = 'genesys_cloud'

),

queues as (

    select * from {{ ref('vendor_queues') }}
    where vendor = 'genesys_cloud'

),

participants as (

    select
        conversations.conversation_id,
        participant.value as participant,
        lower(participant.value ->> 'purpose') as purpose,
        participant.value ->> 'userId' as user_id
    from conversations,
        {{ json_items('conversations.record', '$.participants') }} as participant

),

sessions as (

    select
        participants.conversation_id,
        participants.purpose,
        participants.user_id,
        participants.participant,
        vendor_session.value as session_record,
        vendor_session.value ->> 'sessionId' as session_id,
        lower(vendor_session.value ->> 'mediaType') as media_type,
        lower(vendor_session.value ->> 'direction') as direction
    from participants,
        {{ json_items('participants.participant', '$.sessions') }} as vendor_session

),

segments as (

    select
        sessions.conversation_id,
        sessions.purpose,
        sessions.user_id,
        sessions.session_id,
        sessions.media_type,
        sessions.direction,
        lower(segment.value ->> 'segmentType') as segment_type,
        {{ json_timestamp("segment.value ->> 'segmentStart'") }} as segment_start,
        {{ json_timestamp("segment.value ->> 'segmentEnd'") }} as segment_end,
        segment.value ->> 'queueId' as queue_id,
        segment.value ->> 'wrapUpCode' as wrap_up_code,
        segment.value ->> 'disconnectType' as disconnect_type
    from sessions,
        {{ json_items('sessions.session_record', '$.segments') }} as segment

),

-- who called or wrote: the first customer or external session
customers as (

    select
        sessions.conversation_id,
        arg_min(
            sessions.participant -> 'attributes' ->> '{{ var("genesys_cloud_customer_id_attribute") }}',
            sessions.session_id
        ) as customer_id,
        arg_min(
            case
                when sessions.media_type = 'callback'
                    then {{ phone_from_address("sessions.session_record -> 'callbackNumbers' ->> 0") }}
                when sessions.media_type not in ('voice', 'callback') then null
                when sessions.direction = 'outbound'
                    then {{ phone_from_address("sessions.session_record ->> 'dnis'") }}
                else {{ phone_from_address("sessions.session_record ->> 'ani'") }}
            end,
            sessions.session_id
        ) as customer_phone,
        arg_min(
            case
                when sessions.media_type <> 'email' then null
                when sessions.direction = 'outbound' then sessions.session_record ->> 'addressTo'
                else sessions.session_record ->> 'addressFrom'
            end,
            sessions.session_id
        ) as customer_email
    from sessions
    where sessions.purpose in ('customer', 'external')
    group by sessions.conversation_id

),

ivr_sessions as (

    select
        sessions.conversation_id,
        sessions.media_type,
        sessions.session_record -> 'flow' ->> 'flowName' as flow_name,
        min(segments.segment_start) as started_at,
        max(segments.segment_end) as ended_at
    from sessions
    inner join segments on sessions.session_id = segments.session_id
    where sessions.purpose = 'ivr'
    group by sessions.conversation_id, sessions.media_type, sessions.session_record -> 'flow' ->> 'flowName'

),

ivr as (

    select
        ivr_sessions.conversation_id,
        min(ivr_sessions.media_type) as media_type,
        string_agg(ivr_sessions.flow_name, '>' order by ivr_sessions.started_at) as ivr_path,
        min(ivr_sessions.started_at) as started_at,
        max(ivr_sessions.ended_at) as ended_at
    from ivr_sessions
    group by ivr_sessions.conversation_id

),

queue_visits as (

    select
        segments.conversation_id,
        segments.session_id,
        min(segments.media_type) as media_type,
        min(segments.direction) as direction,
        min(segments.queue_id) as queue_id,
        min(segments.segment_start) as queued_at,
        max(segments.segment_end) as left_queue_at,
        arg_max(segments.disconnect_type, segments.segment_start) as disconnect_type
    from segments
    where segments.purpose = 'acd'
    group by segments.conversation_id, segments.session_id

),

-- agent sessions that were answered (an alert the agent did not take is not a leg)
answering as (

    select
        segments.conversation_id,
        segments.session_id,
        min(segments.user_id) as agent_id,
        min(segments.media_type) as media_type,
        min(segments.direction) as direction,
        min(segments.queue_id) as queue_id,
        min(segments.segment_start) as started_at,
        min(segments.segment_start) filter (where segments.segment_type = 'interact')
            as answered_at,
        max(segments.segment_end) filter (where segments.segment_type in ('interact', 'hold'))
            as ended_at,
        max(segments.segment_end) filter (where segments.segment_type = 'wrapup') as acw_ended_at,
        sum({{ seconds_between('segments.segment_start', 'segments.segment_end') }})
        filter (where segments.segment_type = 'hold') as hold_seconds,
        arg_max(segments.wrap_up_code, segments.segment_start)
        filter (where segments.wrap_up_code is not null) as wrap_up_code,
        arg_max(segments.disconnect_type, segments.segment_start)
        filter (where segments.segment_type in ('interact', 'hold')) as disconnect_type
    from segments
    where segments.purpose in ('agent', 'user')
    group by segments.conversation_id, segments.session_id
    having min(segments.segment_start) filter (where segments.segment_type = 'interact') is not null

),

-- the agent session that answered each queue visit: same queue, answered while it waited
answered_visits as (

    select
        queue_visits.session_id as queue_session_id,
        arg_min(answering.session_id, answering.answered_at) as agent_session_id
    from queue_visits
    inner join answering
        on
            queue_visits.conversation_id = answering.conversation_id
            and queue_visits.queue_id is not distinct from answering.queue_id
            and queue_visits.queued_at <= answering.answered_at
            and answering.answered_at
            <= {{ dbt.dateadd('second', 10, 'queue_visits.left_queue_at') }}
    group by queue_visits.session_id

),

legs as (

    select
        queue_visits.conversation_id,
        queue_visits.queued_at as leg_started_at,
        queue_visits.media_type,
        queue_visits.direction,
        queue_visits.queue_id,
        queue_visits.queued_at,
        answering.answered_at,
        coalesce(answering.ended_at, queue_visits.left_queue_at) as ended_at,
        answering.acw_ended_at,
        answering.hold_seconds,
        answering.agent_id,
        answering.wrap_up_code,
        coalesce(answering.disconnect_type, queue_visits.disconnect_type) as vendor_disconnect,
        false as is_self_service
    from queue_visits
    left join answered_visits on queue_visits.session_id = answered_visits.queue_session_id
    left join answering on answered_visits.agent_session_id = answering.session_id
    union all
    -- agents reached without a queue: direct transfers, agent-dialled calls
    select
        answering.conversation_id,
        answering.started_at as leg_started_at,
        answering.media_type,
        answering.direction,
        null as queue_id,
        null as queued_at,
        answering.answered_at,
        answering.ended_at,
        answering.acw_ended_at,
        answering.hold_seconds,
        answering.agent_id,
        answering.wrap_up_code,
        answering.disconnect_type as vendor_disconnect,
        false as is_self_service
    from answering
    where
        answering.session_id not in (
            select answered_visits.agent_session_id from answered_visits
        )
        -- a consult (or a conference): the agent who reached this one stayed with the customer
        -- after it left; the customer's contact went on with the first agent
        and not exists (
            select 1 from answering as consulting
            where
                consulting.conversation_id = answering.conversation_id
                and consulting.session_id <> answering.session_id
                and consulting.answered_at < answering.started_at
                and consulting.ended_at > answering.ended_at
        )
    union all
    -- self-service: a conversation that never reached a queue or an agent, and a bot flow
    -- before a chat or message reached one
    select
        ivr.conversation_id,
        ivr.started_at as leg_started_at,
        ivr.media_type,
        'inbound' as direction,
        null as queue_id,
        null as queued_at,
        null as answered_at,
        ivr.ended_at,
        null as acw_ended_at,
        null as hold_seconds,
        null as agent_id,
        null as wrap_up_code,
        null as vendor_disconnect,
        true as is_self_service
    from ivr
    where
        ivr.media_type in ('chat', 'message')
        or (
            ivr.conversation_id not in (select queue_visits.conversation_id from queue_visits)
            and ivr.conversation_id not in (select answering.conversation_id from answering)
        )

),

numbered as (

    select
        legs.*,
        row_number() over conversation_legs as leg_number,
        lag(legs.leg_started_at) over conversation_legs as previous_leg_started_at,
        lead(legs.media_type) over conversation_legs as next_media_type,
        lead(legs.leg_started_at) over conversation_legs is not null as has_next_leg
    from legs
    window conversation_legs as (
        partition by legs.conversation_id
        order by legs.leg_started_at asc, legs.is_self_service desc, legs.queued_at asc
    )

),

final as (

    select
        case
            when numbered.leg_number = 1 then numbered.conversation_id
            else numbered.conversation_id || ':' || cast(numbered.leg_number as varchar)
        end as contact_id,
        case when numbered.leg_number > 1 then numbered.conversation_id end as initial_contact_id,
        case
            when numbered.leg_number = 2 then numbered.conversation_id
            when numbered.leg_number > 2
                then numbered.conversation_id || ':' || cast(numbered.leg_number - 1 as varchar)
        end as previous_contact_id,
        case
            when numbered.is_self_service and numbered.media_type in ('chat', 'message') then 'bot'
            else channels.channel
        end as channel,
        coalesce(numbered.direction, conversations.originating_direction, 'inbound') as direction,
        case
            when numbered.media_type = 'callback' then 'callback'
            when numbered.leg_number > 1 then 'transfer'
            else coalesce(numbered.direction, conversations.originating_direction, 'inbound')
        end as initiation_method,
        customers.customer_id,
        {{ hash_pii('customers.customer_email', 'email') }} as customer_email_hash,
        {{ hash_pii('customers.customer_phone', 'phone') }} as customer_phone_hash,
        case
            when numbered.leg_number = 1 and numbered.media_type = 'voice' or numbered.is_self_service
                then ivr.ivr_path
        end as ivr_path,
        case
            when numbered.is_self_service and numbered.has_next_leg then 'transferred'
            when numbered.is_self_service then 'contained'
            when numbered.leg_number = 1 and numbered.media_type = 'voice' and ivr.ivr_path is not null
                then 'transferred'
        end as ivr_outcome,
        coalesce(queues.queue_name, numbered.queue_id) as queue_name,
        numbered.agent_id,
        case
            when numbered.leg_number = 1 then conversations.conversation_start
            else numbered.leg_started_at
        end as initiated_at,
        numbered.queued_at,
        numbered.answered_at,
        numbered.ended_at,
        numbered.acw_ended_at,
        cast(round(numbered.hold_seconds) as integer) as hold_seconds,
        case
            when numbered.is_self_service and not numbered.has_next_leg then 'contained'
            when numbered.is_self_service then 'transfer'
            when numbered.answered_at is null and numbered.next_media_type = 'callback'
                then 'callback_requested'
            when numbered.has_next_leg then 'transfer'
            when numbered.answered_at is not null then disconnects.when_answered
            else disconnects.when_not_answered
        end as disconnect_reason,
        coalesce(wrapups.contact_reason, lower(numbered.wrap_up_code)) as contact_reason,
        wrapups.disposition,
        case when numbered.media_type = 'email' then numbered.leg_started_at end
            as email_received_at,
        -- an e-mail interaction ends when the agent sends the reply
        case
            when numbered.media_type = 'email' and numbered.answered_at is not null
                then numbered.ended_at
        end as email_first_response_at,
        conversations._file,
        conversations._row,
        conversations._load_id,
        conversations._loaded_at
    from numbered
    inner join conversations on numbered.conversation_id = conversations.conversation_id
    left join customers on numbered.conversation_id = customers.conversation_id
    left join ivr on numbered.conversation_id = ivr.conversation_id
    left join channels on numbered.media_type = channels.vendor_value
    left join disconnects on numbered.vendor_disconnect = disconnects.vendor_value
    left join wrapups on numbered.wrap_up_code = wrapups.wrapup_code
    left join queues on numbered.queue_id = queues.queue_id
    -- a media type vendor_channels does not list (cobrowse, screenshare, video) is not a leg
    where channels.channel is not null

)

select * from final
