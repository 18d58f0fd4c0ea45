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
