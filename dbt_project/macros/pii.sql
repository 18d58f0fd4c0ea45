{#- Normalise then salted-sha256 an e-mail or phone. The only way PII is hashed in this project. -#}
{% macro hash_pii(column, kind) -%}
    {%- if kind == 'email' -%}
        {%- set normalized = normalize_email(column) -%}
    {%- elif kind == 'phone' -%}
        {%- set normalized = normalize_phone(column) -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("hash_pii: kind must be 'email' or 'phone', got " ~ kind) }}
    {%- endif -%}
    case
        when nullif({{ normalized }}, '') is not null
            then {{ sha256_hex("'" ~ var('pii_salt') ~ ":' || " ~ normalized) }}
    end
{%- endmacro %}

{% macro normalize_email(column) -%}
    lower(trim({{ column }}))
{%- endmacro %}

{% macro normalize_phone(column) -%}
    {{ return(adapter.dispatch('normalize_phone', 'cjm')(column)) }}
{%- endmacro %}

{#- Digits only, international prefix 00 dropped: '+371 2612-3456' and '0037126123456' agree. -#}
{% macro default__normalize_phone(column) -%}
    regexp_replace(regexp_replace({{ column }}, '[^0-9]', ''), '^00', '')
{%- endmacro %}

{% macro duckdb__normalize_phone(column) -%}
    regexp_replace(regexp_replace({{ column }}, '[^0-9]', '', 'g'), '^00', '')
{%- endmacro %}

{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'cjm')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}

{% macro duckdb__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}
