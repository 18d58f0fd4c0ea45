{#- numerator / denominator as a double; null (not 0) when the denominator is 0 or null. -#}
{% macro ratio(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0)
{%- endmacro %}

{#- Net Promoter Score from counts: % promoters - % detractors, -100..100; null without answers. -#}
{% macro nps(promoters, detractors, responses) -%}
    100.0 * ({{ ratio(promoters, responses) }} - {{ ratio(detractors, responses) }})
{%- endmacro %}

{#- Median (dispatched: median() on DuckDB, percentile_cont elsewhere). -#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'cjm')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    median({{ expression }})
{%- endmacro %}
