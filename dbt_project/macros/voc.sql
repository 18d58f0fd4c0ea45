{#- Every survey response with the slices the VoC models compare it by (docs/kpis.md): the survey
    touchpoint's stage, the rated contact's channel and reason (a relationship survey: channel
    'survey', reason 'none'; a post-contact survey whose rated contact is unknown: 'unknown'
    and 'unknown'), the customer's segment and the verbatim's language. -#}
{% macro voc_responses() -%}
    select
        responses.response_id,
        responses.response_date,
        touchpoints.stage,
        -- a post-contact response whose rated contact is unknown: channel and reason 'unknown',
        -- never 'survey' (the relationship survey's), so relationship NPS stays pure
        case
            when contacts.contact_id is not null then contacts.channel
            when responses.survey_type = 'post_contact' then 'unknown'
            else 'survey'
        end as channel,
        case
            when contacts.contact_id is not null then contacts.reason
            when responses.survey_type = 'post_contact' then 'unknown'
            else 'none'
        end as reason,
        coalesce(customers.segment, 'unknown') as segment,
        responses.language_code as language,
        responses.verbatim,
        responses.emotion_signal,
        responses.text_tone,
        responses.is_nps_valid,
        responses.nps_category,
        responses.is_csat_valid,
        responses.is_csat_top_2_box,
        responses.is_ces_valid,
        responses.ces_score,
        responses.is_ces_easy
    from {{ ref('fct_survey_responses') }} as responses
    inner join {{ ref('fct_touchpoints') }} as touchpoints
        on responses.touchpoint_id = touchpoints.touchpoint_id
    left join {{ ref('fct_contacts') }} as contacts on responses.contact_id = contacts.contact_id
    left join {{ ref('dim_customer') }} as customers
        on touchpoints.customer_sk = customers.customer_sk
{%- endmacro %}
