{#-
    95 % intervals for the rates the KPI models compare (docs/kpis.md, "Intervals"). Each macro
    takes SQL expressions of counts and gives one bound ('low' or 'high'); null without answers.
    z is the normal quantile (1.96: 95 %).
-#}

{#- The Wilson score interval of the proportion successes / trials (0..1). -#}
{% macro wilson_bound(successes, trials, side, z=1.96) -%}
    {%- set n = 'cast(' ~ trials ~ ' as double)' -%}
    {%- set p = ratio(successes, trials) -%}
    case when {{ trials }} > 0 then
        (
            {{ p }} + {{ z }} * {{ z }} / (2 * {{ n }})
            {{ '-' if side == 'low' else '+' }} {{ z }} * sqrt(
                {{ p }} * (1 - {{ p }}) / {{ n }} + {{ z }} * {{ z }} / (4 * {{ n }} * {{ n }})
            )
        ) / (1 + {{ z }} * {{ z }} / {{ n }})
    end
{%- endmacro %}

{#- The adjusted-Wald NPS of counts (Rocks 2016): 3/4 added to promoters and to detractors, 3
    to the responses; as shares (-1..1), with the variance of one response's score (+1, 0, -1).
    The parts of nps_bound and nps_difference_bound. -#}
{% macro nps_adjusted_parts(promoters, detractors, responses) -%}
    {%- set n = '(cast(' ~ responses ~ ' as double) + 3)' -%}
    {%- set p = '((cast(' ~ promoters ~ ' as double) + 0.75) / ' ~ n ~ ')' -%}
    {%- set d = '((cast(' ~ detractors ~ ' as double) + 0.75) / ' ~ n ~ ')' -%}
    {{ return({
        'score': '(' ~ p ~ ' - ' ~ d ~ ')',
        'variance': '((' ~ p ~ ' + ' ~ d ~ ' - (' ~ p ~ ' - ' ~ d ~ ') * (' ~ p ~ ' - ' ~ d ~ ')) / ' ~ n ~ ')',
    }) }}
{%- endmacro %}

{#- A bound of the adjusted-Wald interval of an NPS (-100..100). -#}
{% macro nps_bound(promoters, detractors, responses, side, z=1.96) -%}
    {%- set nps = nps_adjusted_parts(promoters, detractors, responses) -%}
    case when {{ responses }} > 0 then
        100 * {{ 'greatest(-1' if side == 'low' else 'least(1' }},
            {{ nps.score }} {{ '-' if side == 'low' else '+' }} {{ z }} * sqrt({{ nps.variance }})
        )
    end
{%- endmacro %}

{#- A bound of the interval of the difference of two NPS (first - second, -200..200): the
    adjusted-Wald scores' difference, their variances added. -#}
{% macro nps_difference_bound(
    promoters, detractors, responses, other_promoters, other_detractors, other_responses, side,
    z=1.96
) -%}
    {%- set first = nps_adjusted_parts(promoters, detractors, responses) -%}
    {%- set second = nps_adjusted_parts(other_promoters, other_detractors, other_responses) -%}
    case when {{ responses }} > 0 and {{ other_responses }} > 0 then
        100 * (
            {{ first.score }} - {{ second.score }}
            {{ '-' if side == 'low' else '+' }} {{ z }} * sqrt({{ first.variance }} + {{ second.variance }})
        )
    end
{%- endmacro %}

{#- A bound of Newcombe's interval (method 10, from the two Wilson intervals) of the difference
    of two proportions, successes / trials - other_successes / other_trials (-1..1). -#}
{% macro proportion_difference_bound(
    successes, trials, other_successes, other_trials, side, z=1.96
) -%}
    {%- set p1 = ratio(successes, trials) -%}
    {%- set p2 = ratio(other_successes, other_trials) -%}
    {%- if side == 'low' -%}
        {%- set own = '(' ~ p1 ~ ' - ' ~ wilson_bound(successes, trials, 'low', z) ~ ')' -%}
        {%- set other = '(' ~ wilson_bound(other_successes, other_trials, 'high', z) ~ ' - ' ~ p2 ~ ')' -%}
    {%- else -%}
        {%- set own = '(' ~ wilson_bound(successes, trials, 'high', z) ~ ' - ' ~ p1 ~ ')' -%}
        {%- set other = '(' ~ p2 ~ ' - ' ~ wilson_bound(other_successes, other_trials, 'low', z) ~ ')' -%}
    {%- endif -%}
    ({{ p1 }} - {{ p2 }} {{ '-' if side == 'low' else '+' }} sqrt({{ own }} * {{ own }} + {{ other }} * {{ other }}))
{%- endmacro %}

{#- The standard normal distribution function Phi(z), from erf by Abramowitz & Stegun 7.1.26
    (absolute error below 1.5e-7): the p-values of the tests below. -#}
{% macro normal_cdf(z) -%}
    {%- set x = '(abs(' ~ z ~ ') / sqrt(2))' -%}
    {%- set t = '(1 / (1 + 0.3275911 * ' ~ x ~ '))' -%}
    (0.5 * (1 + sign({{ z }}) * (1 - (
        0.254829592 * {{ t }}
        - 0.284496736 * pow({{ t }}, 2)
        + 1.421413741 * pow({{ t }}, 3)
        - 1.453152027 * pow({{ t }}, 4)
        + 1.061405429 * pow({{ t }}, 5)
    ) * exp(-{{ x }} * {{ x }}))))
{%- endmacro %}

{#- The z statistic of the pooled two-proportion test of successes / trials against
    other_successes / other_trials (positive when the first is higher); null without trials on
    a side or when both proportions are 0 or 1. -#}
{% macro two_proportion_z(successes, trials, other_successes, other_trials) -%}
    {%- set n1 = 'cast(' ~ trials ~ ' as double)' -%}
    {%- set n2 = 'cast(' ~ other_trials ~ ' as double)' -%}
    {%- set pooled = '((' ~ successes ~ ' + ' ~ other_successes ~ ') / (' ~ n1 ~ ' + ' ~ n2 ~ '))' -%}
    case when {{ trials }} > 0 and {{ other_trials }} > 0 then
        ({{ ratio(successes, trials) }} - {{ ratio(other_successes, other_trials) }})
        / nullif(sqrt({{ pooled }} * (1 - {{ pooled }}) * (1 / {{ n1 }} + 1 / {{ n2 }})), 0)
    end
{%- endmacro %}

{#- The p-value of a z statistic: 'greater' (one-sided, the first is higher), 'less', or
    'two_sided'. -#}
{% macro p_value(z, alternative='two_sided') -%}
    {%- if alternative == 'greater' -%}
        (1 - {{ normal_cdf(z) }})
    {%- elif alternative == 'less' -%}
        {{ normal_cdf(z) }}
    {%- else -%}
        (2 * (1 - {{ normal_cdf('abs(' ~ z ~ ')') }}))
    {%- endif -%}
{%- endmacro %}

{#- The 0.975 quantile of Student's t with df degrees of freedom (the 95 % interval's
    multiplier), by its Cornish-Fisher expansion around the normal's 1.96: within 0.003 for
    df >= 10 (0.025 at df 5), exact as df grows. -#}
{% macro t_quantile_975(df) -%}
    (1.959964 + (pow(1.959964, 3) + 1.959964) / (4 * {{ df }})
        + (5 * pow(1.959964, 5) + 16 * pow(1.959964, 3) + 3 * 1.959964) / (96 * pow({{ df }}, 2)))
{%- endmacro %}

{#- A t statistic with df degrees of freedom as the z with the same tail probability
    (z = t (1 - 1/(4 df)) / sqrt(1 + t^2 / (2 df))), for p_value: within 0.01 of the exact
    t tail for df >= 10. -#}
{% macro t_as_z(t, df) -%}
    ({{ t }} * (1 - 1 / (4 * {{ df }})) / sqrt(1 + {{ t }} * {{ t }} / (2 * {{ df }})))
{%- endmacro %}
