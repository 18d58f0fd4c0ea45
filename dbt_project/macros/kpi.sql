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

{#- The KPIs of `models` a change can be measured on (kpi_change_impact): each ratio_of column,
    read from the dbt graph (as kpi_definitions reads it), with its numerator, denominator and
    scale, its kind (rate when declared between 0 and 1 by value_between, else mean) and the
    scope columns its model has. Empty while parsing. -#}
{#- The columns a change's scope can name (seed change_log's scope_dimension 'queue' is queue_key). -#}
{% macro change_scope_columns() -%}
    {{ return(['channel', 'queue_key', 'reason', 'segment']) }}
{%- endmacro %}

{% macro change_impact_kpis(models) -%}
    {%- set scope_columns = change_scope_columns() -%}
    {%- set kpis = [] -%}
    {%- set ranges = {} -%}
    {%- set columns = {} -%}
    {%- if execute and graph.nodes is defined -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and node.name in models -%}
                {%- do columns.update({node.name: node.columns.keys() | list}) -%}
            {%- elif node.resource_type == 'test' and node.test_metadata and node.attached_node
                and node.test_metadata.name == 'value_between' -%}
                {%- set kwargs = node.test_metadata.kwargs -%}
                {%- do ranges.update({
                    node.attached_node.split('.')[-1] ~ '.' ~ node.column_name:
                    (kwargs.min_value, kwargs.max_value)
                }) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'test' and node.test_metadata and node.attached_node
                and node.test_metadata.name == 'ratio_of'
                and node.attached_node.split('.')[-1] in models -%}
                {%- set model = node.attached_node.split('.')[-1] -%}
                {%- set kwargs = node.test_metadata.kwargs -%}
                {%- set range = ranges.get(model ~ '.' ~ node.column_name, (none, none)) -%}
                {%- do kpis.append({
                    'model': model,
                    'column': node.column_name,
                    'numerator': kwargs.numerator,
                    'denominator': kwargs.denominator,
                    'scale': kwargs.get('scale', 1),
                    'kind': 'rate' if range[0] == 0 and range[1] == 1 else 'mean',
                    'scopes': scope_columns | select('in', columns.get(model, [])) | list,
                }) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(kpis | sort(attribute='column') | sort(attribute='model')) }}
{%- endmacro %}
