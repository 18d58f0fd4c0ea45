{#-
    The one as-of rule of the type 2 customer dimension, as a join condition: the version of
    `customer_key` valid at `at` (valid_from <= at < valid_to). Each fact applies it once and
    carries the version as customer_sk ('-1' when none matches); KPI models join dim_customer
    on customer_sk.
-#}
{% macro is_customer_version(customers, customer_key, at) -%}
    {{ customer_key }} = {{ customers }}.customer_key
    and {{ at }} >= {{ customers }}.valid_from
    and ({{ customers }}.valid_to is null or {{ at }} < {{ customers }}.valid_to)
{%- endmacro %}

{#-
    The canonical CRM attributes of each row of `relation` (a CRM export with `_extra`, keyed by
    _load_id and _row) as the seed crm_fields maps them for `vendor`: segment, plan, language,
    country (text, as exported or as mapped), signup_date and cancel_date (dates). A field named
    in the seed is a contract column or an `_extra` key (a dotted name, `account.type`, is a
    path into `_extra`: a related record's field); a row with a column_value maps that
    value, a row without one takes the value as is (an empty value is none).
-#}
{% macro crm_field_values(relation, vendor) -%}
    {%- set exported -%}
        nullif(coalesce(
            json_extract_string(exports.row_json, '$."' || fields.column_name || '"'),
            json_extract_string(exports._extra, '$."' || fields.column_name || '"'),
            json_extract_string(exports._extra, '$.' || fields.column_name)
        ), '')
    {%- endset -%}
    select
        mapped._load_id,
        mapped._row,
        max(case when mapped.field = 'segment' then mapped.field_value end) as segment,
        max(case when mapped.field = 'plan' then mapped.field_value end) as plan,
        max(case when mapped.field = 'language' then mapped.field_value end) as language,
        max(case when mapped.field = 'country' then mapped.field_value end) as country,
        max(
            case when mapped.field = 'signup_date' then {{ crm_date('mapped.field_value') }} end
        ) as signup_date,
        max(
            case when mapped.field = 'cancel_date' then {{ crm_date('mapped.field_value') }} end
        ) as cancel_date
    from (
        select
            exports._load_id,
            exports._row,
            fields.field,
            case
                when fields.column_value is null then {{ exported }}
                when {{ exported }} = fields.column_value then fields.value
            end as field_value
        from (
            select
                exported_rows._load_id,
                exported_rows._row,
                exported_rows._extra,
                to_json(exported_rows) as row_json
            from {{ relation }} as exported_rows
        ) as exports
        cross join (
            select * from {{ ref('crm_fields') }}
            where vendor = '{{ vendor }}'
        ) as fields
    ) as mapped
    group by mapped._load_id, mapped._row
{%- endmacro %}

{#- A date exported as a date or a timestamp ('2026-09-01', '2026-09-01 08:00:00'). -#}
{% macro crm_date(expression) -%}
    cast({{ dbt.safe_cast(expression, 'timestamp') }} as date)
{%- endmacro %}

{#- The columns of a canonical CRM customer version (stg_crm__customers): every CRM staging
    model gives them, int_crm_customers unions them. -#}
{% macro crm_customer_columns() -%}
    {{ return([
        'customer_version_id',
        'customer_id',
        'email_hash',
        'phone_hash',
        'segment',
        'plan',
        'signup_date',
        'cancel_date',
        'country_code',
        'language_code',
        'updated_at',
        '_file',
        '_row',
        '_load_id',
        '_loaded_at',
    ]) }}
{%- endmacro %}
