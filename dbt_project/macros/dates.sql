{#- One row per day from start_date to end_date inclusive, in column date_day (dispatched). -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'cjm')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    select explode(sequence({{ start_date }}, {{ end_date }}, interval 1 day)) as date_day
{%- endmacro %}

{% macro duckdb__days_between(start_date, end_date) -%}
    select cast(unnest(generate_series(
        cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 day
    )) as date) as date_day
{%- endmacro %}

{#- The exact seconds from start to end, fractions kept (a double): 10:00:00.75 -> 10:00:21.00
    is 20.25 s, not the 21 second boundaries crossed. Round only for display (dispatched). -#}
{% macro seconds_between(start, end) -%}
    {{ return(adapter.dispatch('seconds_between', 'cjm')(start, end)) }}
{%- endmacro %}

{% macro default__seconds_between(start, end) -%}
    ({{ dbt.datediff(start, end, 'microsecond') }} / 1000000.0)
{%- endmacro %}

{% macro duckdb__seconds_between(start, end) -%}
    (date_diff('microsecond', {{ start }}, {{ end }}) / 1000000.0)
{%- endmacro %}

{#- The calendar day of a UTC timestamp in the centre's time zone (var `timezone`, an IANA
    name from CJM_TIMEZONE; default UTC), across daylight-saving changes (dispatched). -#}
{% macro local_date(timestamp) -%}
    {%- if var('timezone') == 'UTC' -%}
        cast({{ timestamp }} as date)
    {%- else -%}
        {{ return(adapter.dispatch('local_date', 'cjm')(timestamp)) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__local_date(timestamp) -%}
    to_date(from_utc_timestamp({{ timestamp }}, '{{ var("timezone") }}'))
{%- endmacro %}

{% macro duckdb__local_date(timestamp) -%}
    cast(timezone('{{ var("timezone") }}', cast({{ timestamp }} as timestamptz)) as date)
{%- endmacro %}

{#- A UTC timestamp as the wall-clock time in the centre's time zone (var `timezone`), for the
    hour of the day (dispatched). -#}
{% macro local_timestamp(timestamp) -%}
    {%- if var('timezone') == 'UTC' -%}
        cast({{ timestamp }} as timestamp)
    {%- else -%}
        {{ return(adapter.dispatch('local_timestamp', 'cjm')(timestamp)) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__local_timestamp(timestamp) -%}
    from_utc_timestamp({{ timestamp }}, '{{ var("timezone") }}')
{%- endmacro %}

{% macro duckdb__local_timestamp(timestamp) -%}
    timezone('{{ var("timezone") }}', cast({{ timestamp }} as timestamptz))
{%- endmacro %}

{#- Calendar days from the local date of one UTC timestamp to the local date of another, in the
    centre's time zone (var `timezone`): 23:30 on 1 January to 00:30 on 3 January is 2 days, even
    where the same instants fall on 1 and 2 January in UTC. -#}
{% macro local_days_between(start, end) -%}
    {{ dbt.datediff(local_date(start), local_date(end), 'day') }}
{%- endmacro %}
