{#-
    One row per published rate or mean of a kpi_* model: how it is computed and how it rolls up.
    Read from the dbt graph, from each column's `ratio_of` test (numerator, denominator, scale)
    and `value_between` test (its range), so the YAML beside the model is the one home of these
    facts: reports roll a KPI up as scale x sum(numerator) / sum(denominator) over any days and
    slices, and BI tools can do the same.
-#}
{%- set ratios = [] -%}
{%- set ranges = {} -%}
{%- if execute -%}
{%- for node in graph.nodes.values() -%}
{%- if node.resource_type == 'test' and node.test_metadata and node.attached_node -%}
{%- set model = node.attached_node.split('.')[-1] -%}
{%- set kwargs = node.test_metadata.kwargs -%}
{%- if node.test_metadata.name == 'ratio_of' -%}
{%- do ratios.append((model, node.column_name, kwargs.numerator, kwargs.denominator, kwargs.get('scale', 1))) -%}
{%- elif node.test_metadata.name == 'value_between' -%}
{%- do ranges.update({model ~ '.' ~ node.column_name: (kwargs.min_value, kwargs.max_value)}) -%}
{%- endif -%}
{%- endif -%}
{%- endfor -%}
{%- endif -%}

with

declared as (

    {% for model, column, numerator, denominator, scale in ratios | sort -%}
    {%- set range = ranges.get(model ~ '.' ~ column, (none, none)) -%}
    select
        '{{ model }}' as kpi_model,
        '{{ column }}' as kpi_column,
        '{{ numerator | replace("'", "''") }}' as numerator,
        '{{ denominator | replace("'", "''") }}' as denominator,
        cast({{ scale }} as double) as scale,
        cast({{ 'null' if range[0] is none else range[0] }} as double) as min_value,
        cast({{ 'null' if range[1] is none else range[1] }} as double) as max_value
    {% if not loop.last -%}
    union all
    {% endif -%}
    {%- else -%}
    select
        cast(null as varchar) as kpi_model,
        cast(null as varchar) as kpi_column,
        cast(null as varchar) as numerator,
        cast(null as varchar) as denominator,
        cast(null as double) as scale,
        cast(null as double) as min_value,
        cast(null as double) as max_value
    where false
    {%- endfor %}

),

final as (

    select
        declared.kpi_model,
        declared.kpi_column,
        declared.numerator,
        declared.denominator,
        declared.scale,
        declared.min_value,
        declared.max_value
    from declared

)

select * from final
