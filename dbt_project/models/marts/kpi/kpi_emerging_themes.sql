{#-
    Emerging themes: per week x language ('all' and each) x theme, the theme's share of the week's
    verbatims against its share in the var('emerging_theme_trailing_weeks') (4) weeks before, with
    a one-sided pooled two-proportion z-test (macros/statistics.sql). A theme is emerging when its
    share grew with p below var('emerging_theme_p_value') (0.05) and it was raised at least
    var('emerging_theme_min_count') (5) times that week. Weeks without verbatims count as 0 in the
    trailing window; a row for every week with verbatims in the language and every theme seen there.
-#}
{%- set trailing = var('emerging_theme_trailing_weeks') %}
with

themes as (

    select * from {{ ref('fct_response_themes') }}

),

responses as (

    select * from {{ ref('fct_survey_responses') }}

),

dates as (

    select * from {{ ref('dim_date') }}

),

verbatims as (

    select
        responses.response_id,
        cast({{ dbt.date_trunc('week', 'responses.response_date') }} as date) as period_start,
        responses.language_code
    from responses
    where responses.verbatim is not null and trim(responses.verbatim) <> ''

),

by_language as (

    select
        verbatims.response_id,
        verbatims.period_start,
        'all' as language_code
    from verbatims
    union all
    select
        verbatims.response_id,
        verbatims.period_start,
        verbatims.language_code
    from verbatims

),

span as (

    select
        min(verbatims.period_start) as first_week,
        max(verbatims.period_start) as last_week
    from verbatims

),

weeks as (

    select distinct dates.week_start_date as period_start
    from dates
    cross join span
    where dates.week_start_date between span.first_week and span.last_week

),

seen as (

    select distinct
        by_language.language_code,
        themes.theme
    from by_language
    inner join themes on by_language.response_id = themes.response_id

),

week_totals as (

    select
        by_language.period_start,
        by_language.language_code,
        count(*) as verbatims
    from by_language
    group by by_language.period_start, by_language.language_code

),

week_themes as (

    select
        by_language.period_start,
        by_language.language_code,
        themes.theme,
        count(*) as theme_verbatims
    from by_language
    inner join themes on by_language.response_id = themes.response_id
    group by by_language.period_start, by_language.language_code, themes.theme

),

weekly as (

    -- every week x language x theme the language ever raised: a quiet week counts as 0
    select
        weeks.period_start,
        seen.language_code,
        seen.theme,
        coalesce(week_totals.verbatims, 0) as verbatims,
        coalesce(week_themes.theme_verbatims, 0) as theme_verbatims
    from weeks
    cross join seen
    left join week_totals
        on
            weeks.period_start = week_totals.period_start
            and seen.language_code = week_totals.language_code
    left join week_themes
        on
            weeks.period_start = week_themes.period_start
            and seen.language_code = week_themes.language_code
            and seen.theme = week_themes.theme

),

trailed as (

    select
        weekly.*,
        coalesce(sum(weekly.verbatims) over trailing_weeks, 0) as trailing_verbatims,
        coalesce(sum(weekly.theme_verbatims) over trailing_weeks, 0) as trailing_theme_verbatims
    from weekly
    window trailing_weeks as (
        partition by weekly.language_code, weekly.theme
        order by weekly.period_start
        rows between {{ trailing }} preceding and 1 preceding
    )

),

tested as (

    select
        trailed.*,
        {{ two_proportion_z(
            'trailed.theme_verbatims', 'trailed.verbatims',
            'trailed.trailing_theme_verbatims', 'trailed.trailing_verbatims'
        ) }} as z_score
    from trailed
    where trailed.verbatims > 0

),

final as (

    select
        tested.period_start,
        tested.language_code,
        tested.theme,
        cast(tested.verbatims as bigint) as verbatims,
        cast(tested.theme_verbatims as bigint) as theme_verbatims,
        {{ ratio('tested.theme_verbatims', 'tested.verbatims') }} as theme_share,
        cast(tested.trailing_verbatims as bigint) as trailing_verbatims,
        cast(tested.trailing_theme_verbatims as bigint) as trailing_theme_verbatims,
        {{ ratio('tested.trailing_theme_verbatims', 'tested.trailing_verbatims') }} as trailing_share,
        tested.z_score,
        {{ p_value('tested.z_score', 'greater') }} as p_value,
        coalesce(
            tested.theme_verbatims >= {{ var('emerging_theme_min_count') }}
            and {{ p_value('tested.z_score', 'greater') }} < {{ var('emerging_theme_p_value') }},
            false
        ) as is_emerging
    from tested

)

select * from final
