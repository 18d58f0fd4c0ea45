{#-
    Verbatim themes per week x dimension x slice x theme: how often a theme is raised among the
    responses with a verbatim, and the NPS and CSAT of the responses with the theme and without it
    (in the same week and slice). Dimensions: all, stage, channel, reason, segment, language
    (macros/voc.sql). Only themes raised in the week and slice have a row.
-#}
{%- set dimensions = ['all', 'stage', 'channel', 'reason', 'segment', 'language'] %}
with

responses as (

    {{ voc_responses() }}

),

themes as (

    select * from {{ ref('fct_response_themes') }}

),

verbatims as (

    select
        cast({{ dbt.date_trunc('week', 'responses.response_date') }} as date) as period_start,
        responses.*
    from responses
    where responses.verbatim is not null and trim(responses.verbatim) <> ''

),

sliced as (

    {% for dimension in dimensions -%}
    select
        '{{ dimension }}' as dimension,
        {{ "'all'" if dimension == 'all' else 'verbatims.' ~ dimension }} as slice,
        verbatims.period_start,
        verbatims.response_id,
        verbatims.is_nps_valid,
        verbatims.nps_category,
        verbatims.is_csat_valid,
        verbatims.is_csat_top_2_box
    from verbatims
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

totals as (

    select
        sliced.period_start,
        sliced.dimension,
        sliced.slice,
        count(*) as verbatims,
        count(*) filter (where sliced.is_nps_valid) as nps_responses,
        count(*) filter (where sliced.nps_category = 'promoter') as promoters,
        count(*) filter (where sliced.nps_category = 'detractor') as detractors,
        count(*) filter (where sliced.is_csat_valid) as csat_responses,
        count(*) filter (where sliced.is_csat_top_2_box) as csat_satisfied
    from sliced
    group by sliced.period_start, sliced.dimension, sliced.slice

),

with_theme as (

    select
        sliced.period_start,
        sliced.dimension,
        sliced.slice,
        themes.theme,
        count(*) as theme_verbatims,
        count(*) filter (where sliced.is_nps_valid) as nps_responses,
        count(*) filter (where sliced.nps_category = 'promoter') as promoters,
        count(*) filter (where sliced.nps_category = 'detractor') as detractors,
        count(*) filter (where sliced.is_csat_valid) as csat_responses,
        count(*) filter (where sliced.is_csat_top_2_box) as csat_satisfied
    from sliced
    inner join themes on sliced.response_id = themes.response_id
    group by sliced.period_start, sliced.dimension, sliced.slice, themes.theme

),

counted as (

    select
        with_theme.period_start,
        with_theme.dimension,
        with_theme.slice,
        with_theme.theme,
        totals.verbatims,
        with_theme.theme_verbatims,
        with_theme.nps_responses as nps_responses_with,
        with_theme.promoters as promoters_with,
        with_theme.detractors as detractors_with,
        totals.nps_responses - with_theme.nps_responses as nps_responses_without,
        totals.promoters - with_theme.promoters as promoters_without,
        totals.detractors - with_theme.detractors as detractors_without,
        with_theme.csat_responses as csat_responses_with,
        with_theme.csat_satisfied as csat_satisfied_with,
        totals.csat_responses - with_theme.csat_responses as csat_responses_without,
        totals.csat_satisfied - with_theme.csat_satisfied as csat_satisfied_without
    from with_theme
    inner join totals
        on
            with_theme.period_start = totals.period_start
            and with_theme.dimension = totals.dimension
            and with_theme.slice = totals.slice

),

final as (

    select
        counted.period_start,
        counted.dimension,
        counted.slice,
        counted.theme,
        cast(counted.verbatims as bigint) as verbatims,
        cast(counted.theme_verbatims as bigint) as theme_verbatims,
        {{ ratio('counted.theme_verbatims', 'counted.verbatims') }} as theme_share,
        cast(counted.nps_responses_with as bigint) as nps_responses_with,
        cast(counted.promoters_with as bigint) as promoters_with,
        cast(counted.detractors_with as bigint) as detractors_with,
        {{ nps('counted.promoters_with', 'counted.detractors_with', 'counted.nps_responses_with') }}
            as nps_with,
        cast(counted.nps_responses_without as bigint) as nps_responses_without,
        cast(counted.promoters_without as bigint) as promoters_without,
        cast(counted.detractors_without as bigint) as detractors_without,
        {{ nps('counted.promoters_without', 'counted.detractors_without', 'counted.nps_responses_without') }}
            as nps_without,
        cast(counted.csat_responses_with as bigint) as csat_responses_with,
        cast(counted.csat_satisfied_with as bigint) as csat_satisfied_with,
        {{ ratio('counted.csat_satisfied_with', 'counted.csat_responses_with') }} as csat_with,
        cast(counted.csat_responses_without as bigint) as csat_responses_without,
        cast(counted.csat_satisfied_without as bigint) as csat_satisfied_without,
        {{ ratio('counted.csat_satisfied_without', 'counted.csat_responses_without') }}
            as csat_without
    from counted

)

select * from final
