with

linked as (

    select * from {{ ref('int_survey_responses_identified') }}

),

tones as (

    select * from {{ ref('int_verbatim_tone') }}

),

scored as (

    select
        linked.response_id,
        'survey_response:' || linked.response_id as touchpoint_id,
        linked.customer_key,
        linked.known_contact_id as contact_id,
        linked.contact_id as reported_contact_id,
        linked.episode_id,
        linked.survey_type,
        {{ local_date('linked.responded_at') }} as response_date,
        linked.sent_at,
        linked.responded_at,
        linked.nps_score,
        linked.nps_score between 0 and 10 as is_nps_valid,
        case
            when linked.nps_score between 9 and 10 then 'promoter'
            when linked.nps_score between 7 and 8 then 'passive'
            when linked.nps_score between 0 and 6 then 'detractor'
        end as nps_category,
        linked.csat_score,
        linked.csat_score between 1 and 5 as is_csat_valid,
        case when linked.csat_score between 1 and 5 then linked.csat_score >= 4 end
            as is_csat_top_2_box,
        linked.ces_score,
        linked.ces_score between 1 and 7 as is_ces_valid,
        case when linked.ces_score between 1 and 7 then linked.ces_score >= 5 end as is_ces_easy,
        case
            when linked.nps_score between 9 and 10 or linked.csat_score between 4 and 5 then 'positive'
            when linked.nps_score between 0 and 6 or linked.csat_score between 1 and 2 then 'negative'
            when linked.nps_score between 7 and 8 or linked.csat_score = 3 then 'neutral'
        end as emotion_signal,
        linked.verbatim,
        coalesce(linked.language_code, 'unknown') as language_code
    from linked

),

final as (

    select
        scored.*,
        tones.text_tone,
        -- a promoter who writes a complaint, or a detractor who writes praise
        case
            when tones.text_tone is not null and scored.emotion_signal is not null
                then
                    scored.emotion_signal = 'positive' and tones.text_tone = 'negative'
                    or scored.emotion_signal = 'negative' and tones.text_tone = 'positive'
        end as is_tone_disagreement
    from scored
    left join tones on scored.response_id = tones.response_id

)

select * from final
