{#-
    Incremental by customer (strategy rebuild_keys): every run rebuilds all touchpoints of each
    customer with a row (re)built upstream since this model last ran (sessions and purchases of
    re-sessionized cookies, legs of rebuilt chains), of the customers those rows belonged to
    before (late identity moves rows between customers), of customers with CRM rows loaded since
    (versions, signup, cancellation), of customers whose survey touchpoints differ from the
    ones held, and of every customer when the stage rules or touchpoint types changed. A
    customer left with no touchpoint loses its old rows. Numbering and stages are per customer,
    so the other customers' rows stay as they are.
-#}
-- depends_on: {{ ref('int_crm_changes') }}
{{ config(
    materialized='incremental',
    unique_key='customer_key',
    incremental_strategy='rebuild_keys',
    row_id='touchpoint_id',
    on_schema_change='fail',
) }}

{#- the filter that keeps an input to the changed customers: only_changed.format(column) -#}
{%- set only_changed = (
    'where {} in (select changed_customers.customer_key from changed_customers)'
    if is_incremental() else ''
) %}

with

stage_rules as (

    select * from {{ ref('stage_rules') }}

),

touchpoint_types as (

    select * from {{ ref('touchpoint_types') }}

),

-- The stage rules and touchpoint types a row was staged with: when they change, every customer
-- is rebuilt.
rules_version as (

    select
        {{ dbt.hash(
            "(select " ~ dbt.listagg(
                "concat_ws('|', priority, touchpoint_type, lifecycle, detail, stage)",
                "';'",
                "order by priority, touchpoint_type, lifecycle, detail, stage"
            ) ~ " from stage_rules) || '#' || (select " ~ dbt.listagg(
                "concat_ws('|', touchpoint_type, channel, sort_order)",
                "';'",
                "order by touchpoint_type"
            ) ~ " from touchpoint_types)"
        ) }} as rules_hash

),

{% if is_incremental() %}
rebuilt_sessions as (

    select web_sessions.cookie_id, web_sessions.customer_key
    from ({{ rebuilt_since_last_run(ref('fct_web_sessions')) }}) as web_sessions

),

rebuilt_contacts as (

    select legs.contact_id, legs.customer_key
    from ({{ rebuilt_since_last_run(ref('int_contacts_identified')) }}) as legs

),

held_surveys as (

    select
        this_run.touchpoint_id,
        this_run.customer_key,
        this_run.started_at,
        this_run.outcome,
        this_run.emotion_signal,
        this_run.emotion_score,
        this_run.contact_id,
        this_run.response_id
    from {{ this }} as this_run
    where this_run.touchpoint_type = 'survey_response'

),

current_surveys as (

    select
        responses.touchpoint_id,
        responses.customer_key,
        responses.responded_at as started_at,
        responses.survey_type as outcome,
        responses.emotion_signal,
        {{ survey_emotion_score('responses') }} as emotion_score,
        responses.contact_id,
        responses.response_id
    from {{ ref('fct_survey_responses') }} as responses

),

changed_customers as (

    select rebuilt_sessions.customer_key from rebuilt_sessions
    union
    select purchases.customer_key
    from ({{ rebuilt_since_last_run(ref('int_web_events_sessionized')) }}) as purchases
    where purchases.event_name = 'purchase'
    union
    select rebuilt_contacts.customer_key from rebuilt_contacts
    union
    select this_run.customer_key
    from {{ this }} as this_run
    where
        this_run._cookie_id in (select rebuilt_sessions.cookie_id from rebuilt_sessions)
        or this_run.contact_id in (select rebuilt_contacts.contact_id from rebuilt_contacts)
    union
    select this_run.customer_key
    from {{ this }} as this_run
    cross join rules_version
    where this_run._rules_hash <> rules_version.rules_hash
    union
    select crm_rows.customer_id
    from ({{ loaded_since_last_run(ref('int_crm_changes')) }}) as crm_rows
    union
    select survey_changes.customer_key
    from (
        select * from current_surveys
        except
        select * from held_surveys
    ) as survey_changes
    union
    select survey_changes.customer_key
    from (
        select * from held_surveys
        except
        select * from current_surveys
    ) as survey_changes

),

{% endif %}
sessions as (

    select * from {{ ref('fct_web_sessions') }}
    {{ only_changed.format('customer_key') }}

),

events as (

    select * from {{ ref('int_web_events_sessionized') }}
    {{ only_changed.format('customer_key') }}

),

contacts as (

    select * from {{ ref('int_contacts_identified') }}
    {{ only_changed.format('customer_key') }}

),

surveys as (

    select * from {{ ref('fct_survey_responses') }}
    {{ only_changed.format('customer_key') }}

),

crm as (

    select * from {{ ref('int_crm_customers') }}
    {{ only_changed.format('customer_id') }}

),

customers as (

    select * from {{ ref('dim_customer') }}
    {{ only_changed.format('customer_key') }}

),

web_sessions as (

    select
        'web_session:' || sessions.session_id as touchpoint_id,
        sessions.customer_key,
        'web_session' as touchpoint_type,
        'web' as channel,
        cast(null as varchar) as reason,
        sessions.started_at,
        sessions.ended_at,
        case
            when sessions.has_purchase then 'purchased'
            when sessions.has_cancellation then 'cancelled'
            when sessions.is_bounce then 'bounced'
            else 'browsed'
        end as outcome,
        sessions.web_intent as stage_detail,
        cast(null as varchar) as emotion_signal,
        cast(null as double) as emotion_score,
        sessions.session_id,
        cast(null as varchar) as contact_id,
        cast(null as varchar) as response_id,
        sessions.cookie_id as _cookie_id
    from sessions

),

purchases as (

    select
        'purchase:' || events.event_id as touchpoint_id,
        events.customer_key,
        'purchase' as touchpoint_type,
        'web' as channel,
        cast(null as varchar) as reason,
        events.event_at as started_at,
        events.event_at as ended_at,
        'purchased' as outcome,
        '*' as stage_detail,
        cast(null as varchar) as emotion_signal,
        cast(null as double) as emotion_score,
        events.session_id,
        cast(null as varchar) as contact_id,
        cast(null as varchar) as response_id,
        events.cookie_id as _cookie_id
    from events
    where events.event_name = 'purchase'

),

ivr_sessions as (

    select
        'ivr_session:' || contacts.contact_id as touchpoint_id,
        contacts.customer_key,
        'ivr_session' as touchpoint_type,
        'ivr' as channel,
        contacts.reason,
        contacts.initiated_at as started_at,
        -- the IVR ends when the leg queues, or when an agent answers it without a queue
        coalesce(contacts.queued_at, contacts.answered_at, contacts.ended_at) as ended_at,
        coalesce(contacts.ivr_outcome, 'unknown') as outcome,
        contacts.reason as stage_detail,
        cast(null as varchar) as emotion_signal,
        cast(null as double) as emotion_score,
        cast(null as varchar) as session_id,
        contacts.contact_id,
        cast(null as varchar) as response_id,
        cast(null as varchar) as _cookie_id
    from contacts
    where contacts.channel = 'voice' and contacts.ivr_path is not null

),

contact_touchpoints as (

    select
        touchpoint_types.touchpoint_type || ':' || contacts.contact_id as touchpoint_id,
        contacts.customer_key,
        touchpoint_types.touchpoint_type,
        contacts.channel,
        contacts.reason,
        coalesce(contacts.queued_at, contacts.answered_at, contacts.initiated_at) as started_at,
        coalesce(contacts.ended_at, contacts.initiated_at) as ended_at,
        case
            when contacts.channel = 'bot' then coalesce(contacts.ivr_outcome, 'unknown')
            when contacts.is_abandoned then 'abandoned'
            when contacts.is_callback_requested then 'callback_requested'
            when contacts.is_transferred then 'transferred'
            when contacts.is_email_unanswered and contacts.email_first_response_at is null
                then 'unanswered'
            else coalesce(contacts.disposition, 'unknown')
        end as outcome,
        contacts.reason as stage_detail,
        cast(null as varchar) as emotion_signal,
        cast(null as double) as emotion_score,
        cast(null as varchar) as session_id,
        contacts.contact_id,
        cast(null as varchar) as response_id,
        cast(null as varchar) as _cookie_id
    from contacts
    -- the touchpoint_types seed names the type of each contact channel
    inner join touchpoint_types on contacts.channel = touchpoint_types.channel
    where
        contacts.channel in ('chat', 'email', 'callback', 'bot')
        or (
            contacts.channel = 'voice'
            and (contacts.queued_at is not null or contacts.answered_at is not null)
        )

),

survey_touchpoints as (

    select
        surveys.touchpoint_id,
        surveys.customer_key,
        'survey_response' as touchpoint_type,
        'survey' as channel,
        cast(null as varchar) as reason,
        surveys.responded_at as started_at,
        surveys.responded_at as ended_at,
        surveys.survey_type as outcome,
        coalesce(surveys.nps_category, 'transactional') as stage_detail,
        surveys.emotion_signal,
        {{ survey_emotion_score('surveys') }} as emotion_score,
        cast(null as varchar) as session_id,
        surveys.contact_id,
        surveys.response_id,
        cast(null as varchar) as _cookie_id
    from surveys

),

cancellations as (

    select
        'cancellation:' || crm.customer_id as touchpoint_id,
        crm.customer_id as customer_key,
        'cancellation' as touchpoint_type,
        'crm' as channel,
        cast(null as varchar) as reason,
        min(crm.updated_at) as started_at,
        min(crm.updated_at) as ended_at,
        'cancelled' as outcome,
        '*' as stage_detail,
        cast(null as varchar) as emotion_signal,
        cast(null as double) as emotion_score,
        cast(null as varchar) as session_id,
        cast(null as varchar) as contact_id,
        cast(null as varchar) as response_id,
        cast(null as varchar) as _cookie_id
    from crm
    where crm.cancel_date is not null
    group by crm.customer_id

),

unioned as (

    select * from web_sessions
    union all
    select * from purchases
    union all
    select * from ivr_sessions
    union all
    select * from contact_touchpoints
    union all
    select * from survey_touchpoints
    union all
    select * from cancellations

),

signups as (

    {#- A customer's journey turns from prospect to customer at the first purchase, else at the
        start of the CRM signup date. -#}
    select
        customers.customer_key,
        coalesce(
            min(purchases.started_at), cast(min(customers.signup_date) as timestamp)
        ) as signed_up_at
    from customers
    left join purchases on customers.customer_key = purchases.customer_key
    where not customers.is_anonymous
    group by customers.customer_key

),

with_lifecycle as (

    select
        unioned.*,
        case
            when unioned.started_at >= signups.signed_up_at then 'customer'
            else 'prospect'
        end as lifecycle
    from unioned
    left join signups on unioned.customer_key = signups.customer_key

),

matched as (

    select
        with_lifecycle.touchpoint_id,
        stage_rules.stage,
        row_number() over (
            partition by with_lifecycle.touchpoint_id order by stage_rules.priority
        ) as rule_rank
    from with_lifecycle
    inner join stage_rules
        on
            stage_rules.touchpoint_type in ('*', with_lifecycle.touchpoint_type)
            and stage_rules.lifecycle in ('*', with_lifecycle.lifecycle)
            and stage_rules.detail in ('*', with_lifecycle.stage_detail)

),

staged as (

    select
        with_lifecycle.*,
        coalesce(matched.stage, 'unknown') as rule_stage,
        coalesce(touchpoint_types.sort_order, 99) as type_sort_order
    from with_lifecycle
    left join matched
        on with_lifecycle.touchpoint_id = matched.touchpoint_id and matched.rule_rank = 1
    left join touchpoint_types on with_lifecycle.touchpoint_type = touchpoint_types.touchpoint_type

),

-- A rule's stage `inherit` (surveys: stage_rules.csv) is the stage of the contact the
-- touchpoint rates, else the customer's stage when it happened (their latest earlier touchpoint
-- with a stage of its own), else unknown: a survey never takes a stage from its own score.
rated_stages as (

    select
        ranked.customer_key,
        ranked.contact_id,
        ranked.rule_stage as rated_stage
    from (
        select
            staged.customer_key,
            staged.contact_id,
            staged.rule_stage,
            row_number() over (
                partition by staged.customer_key, staged.contact_id
                order by staged.started_at desc, staged.touchpoint_id desc
            ) as recency
        from staged
        where staged.contact_id is not null and staged.rule_stage <> 'inherit'
    ) as ranked
    where ranked.recency = 1

),

inherited as (

    select
        staged.*,
        case
            when staged.rule_stage <> 'inherit' then staged.rule_stage
            else coalesce(
                rated_stages.rated_stage,
                {{ last_value_ignoring_nulls(
                    "case when staged.rule_stage <> 'inherit' then staged.rule_stage end"
                ) }} over (
                    partition by staged.customer_key
                    order by staged.started_at, staged.type_sort_order, staged.touchpoint_id
                    rows between unbounded preceding and 1 preceding
                ),
                'unknown'
            )
        end as stage
    from staged
    left join rated_stages
        on
            staged.rule_stage = 'inherit'
            and staged.customer_key = rated_stages.customer_key
            and staged.contact_id = rated_stages.contact_id

),

ordered as (

    select
        inherited.*,
        row_number() over customer_order as touchpoint_number,
        lag(inherited.touchpoint_id) over customer_order as previous_touchpoint_id,
        lead(inherited.touchpoint_id) over customer_order as next_touchpoint_id
    from inherited
    window customer_order as (
        partition by inherited.customer_key
        order by inherited.started_at, inherited.type_sort_order, inherited.touchpoint_id
    )

),

final as (

    select
        ordered.touchpoint_id,
        ordered.customer_key,
        coalesce(customers.customer_sk, '-1') as customer_sk,
        ordered.touchpoint_type,
        ordered.channel,
        ordered.stage,
        ordered.lifecycle,
        coalesce(ordered.reason, 'unknown') as reason,
        {{ local_date('ordered.started_at') }} as touchpoint_date,
        ordered.started_at,
        ordered.ended_at,
        cast({{ seconds_between('ordered.started_at', 'ordered.ended_at') }} as bigint)
            as duration_seconds,
        ordered.outcome,
        ordered.emotion_signal,
        cast(ordered.emotion_score as double) as emotion_score,
        cast(ordered.touchpoint_number as bigint) as touchpoint_number,
        ordered.previous_touchpoint_id,
        ordered.next_touchpoint_id,
        ordered.session_id,
        ordered.contact_id,
        ordered.response_id,
        ordered._cookie_id,
        rules_version.rules_hash as _rules_hash,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as _batch_at
    from ordered
    cross join rules_version
    left join customers
        on {{ is_customer_version('customers', 'ordered.customer_key', 'ordered.started_at') }}

)

{% if is_incremental() %}
-- a changed customer with no touchpoint left keeps one marker row (null touchpoint_id): the
-- rebuild_keys strategy deletes its old rows and does not insert the marker
{{ rebuild_keys_rows('final', 'changed_customers', 'customer_key') }}
{% else %}
select * from final
{% endif %}
