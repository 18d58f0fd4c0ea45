{#-
    What each theme does to NPS and CSAT over the published history: the responses with a
    verbatim raising the theme against those with a verbatim not raising it, the difference with
    its 95 % interval (adjusted Wald for NPS, Newcombe for CSAT; macros/statistics.sql) and
    whether each side has var('min_support') responses.
-#}
with

themes as (

    select * from {{ ref('fct_response_themes') }}

),

responses as (

    select * from {{ ref('fct_survey_responses') }}
    where verbatim is not null and trim(verbatim) <> ''

),

theme_list as (

    select * from {{ ref('voc_themes') }}

),

flagged as (

    select
        theme_list.theme,
        theme_list.sort_order,
        responses.response_id,
        responses.is_nps_valid,
        responses.nps_category,
        responses.is_csat_valid,
        responses.is_csat_top_2_box,
        themes.response_id is not null as has_theme
    from theme_list
    cross join responses
    left join themes
        on
            theme_list.theme = themes.theme
            and responses.response_id = themes.response_id

),

counted as (

    select
        flagged.theme,
        min(flagged.sort_order) as sort_order,
        count(*) filter (where flagged.has_theme) as theme_verbatims,
        count(*) as verbatims,
        count(*) filter (where flagged.has_theme and flagged.is_nps_valid) as nps_responses_with,
        count(*) filter (where flagged.has_theme and flagged.nps_category = 'promoter')
            as promoters_with,
        count(*) filter (where flagged.has_theme and flagged.nps_category = 'detractor')
            as detractors_with,
        count(*) filter (where not flagged.has_theme and flagged.is_nps_valid)
            as nps_responses_without,
        count(*) filter (where not flagged.has_theme and flagged.nps_category = 'promoter')
            as promoters_without,
        count(*) filter (where not flagged.has_theme and flagged.nps_category = 'detractor')
            as detractors_without,
        count(*) filter (where flagged.has_theme and flagged.is_csat_valid) as csat_responses_with,
        count(*) filter (where flagged.has_theme and flagged.is_csat_top_2_box)
            as csat_satisfied_with,
        count(*) filter (where not flagged.has_theme and flagged.is_csat_valid)
            as csat_responses_without,
        count(*) filter (where not flagged.has_theme and flagged.is_csat_top_2_box)
            as csat_satisfied_without
    from flagged
    group by flagged.theme

),

scored as (

    select
        counted.*,
        {{ nps('counted.promoters_with', 'counted.detractors_with', 'counted.nps_responses_with') }}
            as nps_with,
        {{ nps('counted.promoters_without', 'counted.detractors_without', 'counted.nps_responses_without') }}
            as nps_without,
        {{ ratio('counted.csat_satisfied_with', 'counted.csat_responses_with') }} as csat_with,
        {{ ratio('counted.csat_satisfied_without', 'counted.csat_responses_without') }}
            as csat_without
    from counted

),

final as (

    select
        scored.theme,
        cast(scored.sort_order as integer) as sort_order,
        cast(scored.verbatims as bigint) as verbatims,
        cast(scored.theme_verbatims as bigint) as theme_verbatims,
        {{ ratio('scored.theme_verbatims', 'scored.verbatims') }} as theme_share,
        cast(scored.nps_responses_with as bigint) as nps_responses_with,
        cast(scored.promoters_with as bigint) as promoters_with,
        cast(scored.detractors_with as bigint) as detractors_with,
        scored.nps_with,
        cast(scored.nps_responses_without as bigint) as nps_responses_without,
        cast(scored.promoters_without as bigint) as promoters_without,
        cast(scored.detractors_without as bigint) as detractors_without,
        scored.nps_without,
        scored.nps_with - scored.nps_without as nps_difference,
        {{ nps_difference_bound(
            'scored.promoters_with', 'scored.detractors_with', 'scored.nps_responses_with',
            'scored.promoters_without', 'scored.detractors_without', 'scored.nps_responses_without',
            'low'
        ) }} as nps_difference_low,
        {{ nps_difference_bound(
            'scored.promoters_with', 'scored.detractors_with', 'scored.nps_responses_with',
            'scored.promoters_without', 'scored.detractors_without', 'scored.nps_responses_without',
            'high'
        ) }} as nps_difference_high,
        least(scored.nps_responses_with, scored.nps_responses_without) >= {{ var('min_support') }}
            as has_nps_support,
        cast(scored.csat_responses_with as bigint) as csat_responses_with,
        cast(scored.csat_satisfied_with as bigint) as csat_satisfied_with,
        scored.csat_with,
        cast(scored.csat_responses_without as bigint) as csat_responses_without,
        cast(scored.csat_satisfied_without as bigint) as csat_satisfied_without,
        scored.csat_without,
        scored.csat_with - scored.csat_without as csat_difference,
        {{ proportion_difference_bound(
            'scored.csat_satisfied_with', 'scored.csat_responses_with',
            'scored.csat_satisfied_without', 'scored.csat_responses_without', 'low'
        ) }} as csat_difference_low,
        {{ proportion_difference_bound(
            'scored.csat_satisfied_with', 'scored.csat_responses_with',
            'scored.csat_satisfied_without', 'scored.csat_responses_without', 'high'
        ) }} as csat_difference_high,
        least(scored.csat_responses_with, scored.csat_responses_without)
        >= {{ var('min_support') }} as has_csat_support,
        cast({{ var('min_support') }} as bigint) as min_support
    from scored

)

select * from final
