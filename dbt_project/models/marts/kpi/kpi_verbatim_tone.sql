{#-
    A verbatim's own tone beside the score's emotion, per week x language: how often they agree,
    and the disagreements (a promoter writing a complaint, a detractor writing praise).
-#}
with

responses as (

    select * from {{ ref('fct_survey_responses') }}
    where text_tone is not null

),

final as (

    select
        cast({{ dbt.date_trunc('week', 'responses.response_date') }} as date) as period_start,
        responses.language_code,
        coalesce(responses.emotion_signal, 'no score') as emotion_signal,
        responses.text_tone,
        cast(count(*) as bigint) as verbatims,
        cast(count(*) filter (where responses.is_tone_disagreement) as bigint) as disagreements
    from responses
    group by
        cast({{ dbt.date_trunc('week', 'responses.response_date') }} as date),
        responses.language_code,
        coalesce(responses.emotion_signal, 'no score'),
        responses.text_tone

)

select * from final
