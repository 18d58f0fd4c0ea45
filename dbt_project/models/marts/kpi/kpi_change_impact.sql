{#-
    What each change in seeds/change_log.csv did to each KPI it names (docs/changes.md): the KPI
    in the var('change_window_days') before the change date against the same span after it,
    leaving out var('change_settling_days') from the date. Rates (a ratio_of KPI declared between
    0 and 1): pooled two-proportion z-test, Newcombe interval. Means (AHT, ASA, reply hours, ...):
    Welch's test with the days as units. NPS: the adjusted-Wald interval of the difference, the
    Wald z for its p-value. A change with a scope (channel, queue, reason or segment) is also
    compared with the slices it did not touch: difference-in-differences with a normal interval.
    KPIs: every ratio_of column of the models in var('change_impact_models'), read from the dbt
    graph as kpi_definitions does, and kpi_voc's NPS, CSAT and CES easy rate per response.
-#}
{%- for model in var('change_impact_models') %}
-- depends_on: {{ ref(model) }}
{%- endfor %}
{%- set scopes = change_scope_columns() -%}
{%- set kpis = change_impact_kpis(var('change_impact_models')) %}
with

changes as (

    select
        change_log.change_id,
        cast(change_log.change_date as date) as change_date,
        change_log.description,
        change_log.scope_dimension,
        change_log.scope_value,
        trim(kpi.kpi_name) as kpi
    from {{ ref('change_log') }} as change_log
    cross join unnest(string_split(change_log.kpis, ' ')) as kpi (kpi_name)
    where trim(kpi.kpi_name) <> ''

),

targets as (

    select * from {{ ref('kpi_targets') }}

),

voc as (

    {{ voc_responses() }}

),

observations as (

    -- one row per KPI x day x slice of its model (a response for kpi_voc): numerator and
    -- denominator, unscaled
    {% for kpi in kpis -%}
    select
        '{{ kpi.model }}.{{ kpi.column }}' as kpi,
        '{{ kpi.kind }}' as kind,
        cast({{ kpi.scale }} as double) as scale,
        date_day,
        {% for scope in scopes -%}
        cast({{ scope if scope in kpi.scopes else 'null' }} as varchar) as {{ scope }},
        {% endfor -%}
        cast({{ kpi.numerator }} as double) as numerator,
        cast({{ kpi.denominator }} as double) as denominator,
        cast(null as double) as promoters,
        cast(null as double) as detractors
    from {{ ref(kpi.model) }}
    union all
    {% endfor -%}
    {%- for voc_kpi, kind, scale, numerator, denominator in [
        ('nps', 'nps', 100, "case voc.nps_category when 'promoter' then 1 when 'detractor' then -1 else 0 end", 'voc.is_nps_valid'),
        ('csat', 'rate', 1, 'voc.is_csat_top_2_box', 'voc.is_csat_valid'),
        ('ces_easy_rate', 'rate', 1, 'voc.is_ces_easy', 'voc.is_ces_valid'),
    ] %}
    select
        'kpi_voc.{{ voc_kpi }}' as kpi,
        '{{ kind }}' as kind,
        cast({{ scale }} as double) as scale,
        voc.response_date as date_day,
        voc.channel,
        cast(null as varchar) as queue_key,
        voc.reason,
        voc.segment,
        coalesce(cast({{ numerator }} as double), 0) as numerator,
        coalesce(cast({{ denominator }} as double), 0) as denominator,
        cast(voc.nps_category = 'promoter' as double) as promoters,
        cast(voc.nps_category = 'detractor' as double) as detractors
    from voc
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

windowed as (

    -- each observation in a change's window: before or after, in its scope (treated) or not
    select
        changes.change_id,
        changes.kpi,
        observations.kind,
        observations.scale,
        observations.date_day,
        observations.numerator,
        observations.denominator,
        observations.promoters,
        observations.detractors,
        case
            when observations.date_day < changes.change_date then 'before' else 'after'
        end as period,
        case changes.scope_dimension
            when 'all' then true
            {% for scope in scopes -%}
            when '{{ 'queue' if scope == 'queue_key' else scope }}'
                then observations.{{ scope }} = changes.scope_value
            {% endfor -%}
        end as is_treated
    from changes
    inner join observations on changes.kpi = observations.kpi
    where
        observations.date_day >= changes.change_date - {{ var('change_window_days') }}
        and observations.date_day < changes.change_date + {{ var('change_settling_days') }}
        + {{ var('change_window_days') }}
        and (
            observations.date_day < changes.change_date
            or observations.date_day >= changes.change_date + {{ var('change_settling_days') }}
        )

),

daily as (

    select
        windowed.change_id,
        windowed.kpi,
        windowed.period,
        windowed.is_treated,
        windowed.date_day,
        min(windowed.kind) as kind,
        min(windowed.scale) as scale,
        sum(windowed.numerator) as numerator,
        sum(windowed.denominator) as denominator,
        sum(windowed.promoters) as promoters,
        sum(windowed.detractors) as detractors
    from windowed
    where windowed.is_treated is not null
    group by
        windowed.change_id, windowed.kpi, windowed.period, windowed.is_treated, windowed.date_day

),

periods as (

    -- one row per change x KPI x treated or not x before or after
    select
        daily.change_id,
        daily.kpi,
        daily.is_treated,
        daily.period,
        min(daily.kind) as kind,
        min(daily.scale) as scale,
        count(*) filter (where daily.denominator > 0) as days_measured,
        sum(daily.numerator) as numerator,
        sum(daily.denominator) as denominator,
        sum(daily.promoters) as promoters,
        sum(daily.detractors) as detractors,
        -- the day-to-day variance of the daily value (means: Welch's test takes days as units)
        var_samp(daily.numerator / nullif(daily.denominator, 0)) as daily_variance
    from daily
    group by daily.change_id, daily.kpi, daily.is_treated, daily.period

),

estimates as (

    -- each period's value (scaled) and the variance of that estimate
    select
        periods.*,
        periods.scale * periods.numerator / nullif(periods.denominator, 0) as kpi_value,
        periods.scale * periods.scale * case periods.kind
            when 'rate'
                then
                    (periods.numerator / nullif(periods.denominator, 0))
                    * (1 - periods.numerator / nullif(periods.denominator, 0))
                    / nullif(periods.denominator, 0)
            when 'nps'
                then
                    (
                        (periods.promoters + periods.detractors) / nullif(periods.denominator, 0)
                        - pow((periods.promoters - periods.detractors) / nullif(periods.denominator, 0), 2)
                    ) / nullif(periods.denominator, 0)
            else periods.daily_variance / nullif(periods.days_measured, 0)
        end as estimate_variance
    from periods

),

paired as (

    select
        later.change_id,
        later.kpi,
        later.is_treated,
        later.kind,
        later.scale,
        earlier.days_measured as days_before,
        later.days_measured as days_after,
        earlier.numerator as numerator_before,
        earlier.denominator as denominator_before,
        later.numerator as numerator_after,
        later.denominator as denominator_after,
        earlier.promoters as promoters_before,
        earlier.detractors as detractors_before,
        later.promoters as promoters_after,
        later.detractors as detractors_after,
        earlier.kpi_value as value_before,
        later.kpi_value as value_after,
        later.kpi_value - earlier.kpi_value as difference,
        earlier.estimate_variance as variance_before,
        later.estimate_variance as variance_after,
        -- Welch-Satterthwaite degrees of freedom (means)
        pow(earlier.estimate_variance + later.estimate_variance, 2) / nullif(
            pow(earlier.estimate_variance, 2) / nullif(earlier.days_measured - 1, 0)
            + pow(later.estimate_variance, 2) / nullif(later.days_measured - 1, 0),
            0
        ) as welch_df
    from estimates as later
    inner join estimates as earlier
        on
            later.change_id = earlier.change_id
            and later.kpi = earlier.kpi
            and later.is_treated = earlier.is_treated
            and later.period = 'after'
            and earlier.period = 'before'

),

tested as (

    select
        paired.*,
        case paired.kind
            when 'rate' then {{ two_proportion_z(
                'paired.numerator_after', 'paired.denominator_after',
                'paired.numerator_before', 'paired.denominator_before'
            ) }}
            when
                'nps'
                then paired.difference / nullif(sqrt(paired.variance_before + paired.variance_after), 0)
            else {{ t_as_z(
                'paired.difference / nullif(sqrt(paired.variance_before + paired.variance_after), 0)',
                'paired.welch_df'
            ) }}
        end as z_score,
        case paired.kind
            when 'rate' then paired.scale * {{ proportion_difference_bound(
                'paired.numerator_after', 'paired.denominator_after',
                'paired.numerator_before', 'paired.denominator_before', 'low'
            ) }}
            when 'nps' then {{ nps_difference_bound(
                'paired.promoters_after', 'paired.detractors_after', 'paired.denominator_after',
                'paired.promoters_before', 'paired.detractors_before', 'paired.denominator_before',
                'low'
            ) }}
            else
                paired.difference - {{ t_quantile_975('paired.welch_df') }}
                * sqrt(paired.variance_before + paired.variance_after)
        end as difference_low,
        case paired.kind
            when 'rate' then paired.scale * {{ proportion_difference_bound(
                'paired.numerator_after', 'paired.denominator_after',
                'paired.numerator_before', 'paired.denominator_before', 'high'
            ) }}
            when 'nps' then {{ nps_difference_bound(
                'paired.promoters_after', 'paired.detractors_after', 'paired.denominator_after',
                'paired.promoters_before', 'paired.detractors_before', 'paired.denominator_before',
                'high'
            ) }}
            else
                paired.difference + {{ t_quantile_975('paired.welch_df') }}
                * sqrt(paired.variance_before + paired.variance_after)
        end as difference_high
    from paired

),

compared as (

    -- the scope's slices (or everything) and, for a scoped change, the untouched slices
    select
        treated.*,
        {{ p_value('treated.z_score') }} as p_value,
        untouched.difference as untouched_difference,
        treated.difference - untouched.difference as did_difference,
        sqrt(
            treated.variance_before + treated.variance_after
            + untouched.variance_before + untouched.variance_after
        ) as did_standard_error
    from tested as treated
    left join tested as untouched
        on
            treated.change_id = untouched.change_id
            and treated.kpi = untouched.kpi
            and not untouched.is_treated
    where treated.is_treated

),

final as (

    select
        changes.change_id,
        changes.change_date,
        changes.description,
        changes.scope_dimension,
        changes.scope_value,
        changes.kpi,
        compared.kind,
        coalesce(targets.direction, 'none') as better_direction,
        cast(compared.days_before as bigint) as days_before,
        cast(compared.days_after as bigint) as days_after,
        compared.denominator_before as volume_before,
        compared.denominator_after as volume_after,
        compared.value_before,
        compared.value_after,
        compared.difference,
        compared.difference_low,
        compared.difference_high,
        compared.p_value,
        compared.untouched_difference,
        compared.did_difference,
        compared.did_difference - 1.959964 * compared.did_standard_error as did_difference_low,
        compared.did_difference + 1.959964 * compared.did_standard_error as did_difference_high,
        {{ p_value('compared.did_difference / nullif(compared.did_standard_error, 0)') }}
            as did_p_value,
        -- judged on the difference-in-differences where there is one (it takes out what moved
        -- everywhere), else on before against after
        case
            when compared.kind is null then 'not measurable'
            when
                coalesce(
                    {{ p_value('compared.did_difference / nullif(compared.did_standard_error, 0)') }},
                    compared.p_value
                ) >= {{ var('change_p_value') }}
                or coalesce(compared.did_difference, compared.difference) is null
                then 'no detectable change'
            when targets.direction is null and coalesce(compared.did_difference, compared.difference) > 0
                then 'higher'
            when targets.direction is null then 'lower'
            when
                (coalesce(compared.did_difference, compared.difference) > 0)
                = (targets.direction = 'at_least')
                then 'improved'
            else 'worse'
        end as verdict
    from changes
    left join compared on changes.change_id = compared.change_id and changes.kpi = compared.kpi
    left join targets on changes.kpi = targets.kpi_model || '.' || targets.kpi_column

)

select * from final
