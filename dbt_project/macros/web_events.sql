{% macro web_events_staged(relation) %}
    {#- The web events of `relation` (raw rows) deduplicated by event_id and renamed: the body
        of stg_web__events, also run by int_web_events_sessionized over the rows it needs. -#}
    with

    deduplicated as (

        {{ deduplicate(relation, 'event_id') }}

    )

    select
        event_id,
        event_at,
        cookie_id,
        user_id as customer_id,
        lower(event_name) as event_name,
        page_url,
        page_path,
        referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        lower(device_type) as device_type,
        search_term,
        order_id,
        order_value as order_value_eur,
        _file,
        _row,
        _load_id,
        _loaded_at
    from deduplicated
{% endmacro %}

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
