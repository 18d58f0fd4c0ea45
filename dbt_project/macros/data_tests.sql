{#-
    Data tests read what this run wrote. dbt wraps the model of every generic test in
    get_where_subquery; this project's version adds, on an incremental model (each stamps the
    rows it writes with `_batch_at`), `_batch_at >= this run's start`: a night tests the rows it rebuilt, not the whole history
    (a full build writes every row, so it tests everything). A full pass tests every row: on
    the weekday var('full_data_tests_weekday') (ISO, 7 = Sunday, in UTC), on --full-refresh,
    and with --vars '{full_data_tests: true}'. A test's own `where` still applies.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [config.get('where', ''), changed_rows_filter()] | select | list -%}
    {%- if conditions -%}
        {%- do return(
            '(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery'
        ) -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- The filter on the rows this run wrote, for a test of an incremental model ('' for a full
    pass, or a test of any other model). -#}
{% macro changed_rows_filter() -%}
    {%- if not execute or var('full_data_tests', false) or flags.FULL_REFRESH
        or run_started_at.isoweekday() == var('full_data_tests_weekday') -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set attached = model.get('attached_node') if model is mapping else none -%}
    {%- set tested = graph.nodes.get(attached) if attached else none -%}
    {#- every incremental model of the project stamps its rows with _batch_at -#}
    {%- if tested is none or tested.config.materialized != 'incremental' -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- do return(
        "_batch_at >= cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as timestamp)"
    ) -%}
{%- endmacro %}
