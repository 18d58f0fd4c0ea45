{#- The canonical web event columns every web staging model gives (int_web_events unions them). -#}
{% macro web_event_columns() -%}
    {{ return([
        'event_id',
        'event_at',
        'cookie_id',
        'customer_id',
        'event_name',
        'page_url',
        'page_path',
        'referrer',
        'utm_source',
        'utm_medium',
        'utm_campaign',
        'device_type',
        'search_term',
        'order_id',
        'order_value_eur',
        'vendor_session_id',
        '_file',
        '_row',
        '_load_id',
        '_loaded_at',
    ]) }}
{%- endmacro %}

{#- The last non-null value of an expression in a window frame (dispatched: DuckDB takes
    IGNORE NULLS inside the call, ANSI after it). Use as {{ last_value_ignoring_nulls('x') }}
    over (...). -#}
{% macro last_value_ignoring_nulls(expression) -%}
    {{ return(adapter.dispatch('last_value_ignoring_nulls', 'cjm')(expression)) }}
{%- endmacro %}

{% macro default__last_value_ignoring_nulls(expression) -%}
    last_value({{ expression }}) ignore nulls
{%- endmacro %}

{% macro duckdb__last_value_ignoring_nulls(expression) -%}
    last_value({{ expression }} ignore nulls)
{%- endmacro %}

{#- The first non-null value of an expression in a window frame (dispatched, as
    last_value_ignoring_nulls). -#}
{% macro first_value_ignoring_nulls(expression) -%}
    {{ return(adapter.dispatch('first_value_ignoring_nulls', 'cjm')(expression)) }}
{%- endmacro %}

{% macro default__first_value_ignoring_nulls(expression) -%}
    first_value({{ expression }}) ignore nulls
{%- endmacro %}

{% macro duckdb__first_value_ignoring_nulls(expression) -%}
    first_value({{ expression }} ignore nulls)
{%- endmacro %}
