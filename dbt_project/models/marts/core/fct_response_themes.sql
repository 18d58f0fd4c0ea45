{#- One row per survey response x theme its verbatim raises, with the rule that tagged it. -#}
with

themes as (

    select * from {{ ref('int_verbatim_themes') }}

),

responses as (

    select * from {{ ref('fct_survey_responses') }}

),

final as (

    select
        cast(themes.response_id as varchar) as response_id,
        cast(themes.theme as varchar) as theme,
        responses.response_date,
        responses.language_code,
        themes.rule_language || ' ' || themes.rule_match || ' ''' || themes.rule_pattern || ''''
            as theme_rule,
        cast(themes.matched_text as varchar) as matched_text
    from themes
    inner join responses on themes.response_id = responses.response_id

)

select * from final
