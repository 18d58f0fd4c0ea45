{#- Helpers for staging vendor records kept whole as JSON (docs/vendors/). -#}

{#- A JSON string value (ISO-8601, with an offset or Z) as a UTC timestamp; null if unreadable. -#}
{% macro json_timestamp(expression) -%}
    (try_cast({{ expression }} as timestamptz) at time zone 'UTC')
{%- endmacro %}

{#- One row per item of the JSON list at `path` of `json_column` (a lateral join: use after a
    FROM item, e.g. `from conversations, {{ json_items('conversations.record', '$.participants') }}
    as participant` gives participant.value). -#}
{% macro json_items(json_column, path) -%}
    lateral (select unnest(json_extract({{ json_column }}, '{{ path }}[*]')) as value)
{%- endmacro %}

{#- A telephone URI or number as dialled (tel:+371..., sip:+371...@host, whatsapp:+371...) without its scheme and
    host; hash_pii then keeps its digits. -#}
{% macro phone_from_address(expression) -%}
    regexp_replace(regexp_replace({{ expression }}, '^(tel|sip|whatsapp|sms):', ''), '@.*$', '')
{%- endmacro %}

{#- The value of one GA4 event parameter (`event_params`, a list of {key, value: {string_value,
    int_value, float_value, double_value}}) as text: `record` is the event, `keys` its list of
    parameter keys (json_extract_string(record, '$.event_params[*].key')). Null when absent; the
    first of repeated keys wins. -#}
{% macro ga4_event_param(record, keys, name) -%}
    {%- set value -%}
        json_extract({{ record }}, '$.event_params['
            || cast(list_position({{ keys }}, '{{ name }}') - 1 as {{ dbt.type_string() }})
            || '].value')
    {%- endset -%}
    coalesce(
        json_extract_string({{ value }}, '$.string_value'),
        json_extract_string({{ value }}, '$.int_value'),
        json_extract_string({{ value }}, '$.double_value'),
        json_extract_string({{ value }}, '$.float_value')
    )
{%- endmacro %}

{#- The path of a URL (`https://host/a/b?q#f` gives /a/b; / when it has none). -#}
{% macro url_path(expression) -%}
    coalesce(nullif(regexp_extract({{ expression }}, '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*([^?#]*)', 1), ''), '/')
{%- endmacro %}
