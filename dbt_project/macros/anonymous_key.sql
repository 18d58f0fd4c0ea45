{#- The customer key of an identifier no CRM customer could be linked to. -#}
{% macro anonymous_key(identifier_type, identifier_value) -%}
    'anon-' || substr({{ dbt.hash(identifier_type ~ " || ':' || " ~ identifier_value) }}, 1, 16)
{%- endmacro %}
