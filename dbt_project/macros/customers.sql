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
    path into a JSON column: a related record's field, see crm_vendor_customers); a row with a
    column_value maps that
    value, a row without one takes the value as is (an empty value is none).
-#}
{% macro crm_field_values(relation, vendor) -%}
    {%- set exported -%}
        nullif(coalesce(
            json_extract_string(exports.row_json, '$."' || fields.column_name || '"'),
            json_extract_string(exports._extra, '$."' || fields.column_name || '"'),
            json_extract_string(exports.row_json, '$.' || fields.column_name)
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

{#-
    A CRM tool's contacts as canonical CRM customer versions (crm_customer_columns()), the one
    shape of every CRM vendor's staging model:
    - `contacts`: the export (id, _extra and the loader's columns), one row per contact version
      per delivery; `version_time` dates a version (an expression over its columns): one version
      per (id, version_time), the latest delivery of it wins;
    - `is_deleted`: the column that marks a deleted (or merged) contact; a contact whose latest
      version is deleted is no customer;
    - `email`: its e-mail column; `phones`: its phone columns, the first present is hashed;
    - `related` (optional): the record a contact belongs to (an account, a company) whose fields
      the seed crm_fields reads as `<name>.<field>`: a mapping of name, relation, key (the
      contact's column naming it), version_time, is_deleted and columns (the contract columns to
      read besides its `_extra`). Its latest version is read; a deleted one is none.
-#}
{% macro crm_vendor_customers(vendor, contacts, version_time, is_deleted, email, phones, related=none) -%}
{%- set phone_columns = [] -%}
{%- for column in phones -%}{%- do phone_columns.append('deduplicated.' ~ column) -%}{%- endfor -%}
with

versions as (

    select
        exported.*,
        {{ version_time }} as updated_at
    from {{ contacts }} as exported

),

deduplicated as (

    {{ deduplicate('versions', 'id, updated_at') }}

),

deleted as (

    select ranked.id
    from (
        select
            deduplicated.id,
            deduplicated.{{ is_deleted }} as is_deleted,
            row_number() over (
                partition by deduplicated.id order by deduplicated.updated_at desc
            ) as recency
        from deduplicated
    ) as ranked
    where ranked.recency = 1 and ranked.is_deleted

),
{% if related %}

related_versions as (

    select
        exported.*,
        {{ related.version_time }} as updated_at,
        {{ related.is_deleted }} as is_deleted_version
    from {{ related.relation }} as exported

),

latest_related as (

    select ranked.*
    from (
        select
            related_versions.*,
            row_number() over (
                partition by related_versions.id
                order by
                    related_versions.updated_at desc,
                    related_versions._loaded_at desc,
                    related_versions._row desc
            ) as recency
        from related_versions
    ) as ranked
    where ranked.recency = 1 and not coalesce(ranked.is_deleted_version, false)

),

-- the contact's fields, with the related record's under its name, for the seed crm_fields
contact_fields as (

    select
        deduplicated.*,
        json_merge_patch(
            coalesce(latest_related._extra, '{}'),
            json_object(
                {% for column in related.columns -%}
                '{{ column }}', latest_related.{{ column }}{% if not loop.last %},{% endif %}
                {% endfor -%}
            )
        ) as {{ related.name }}
    from deduplicated
    left join latest_related on deduplicated.{{ related.key }} = latest_related.id

),
{% endif %}

fields as (

    {{ crm_field_values('contact_fields' if related else 'deduplicated', vendor) }}

),

renamed as (

    select
        deduplicated.id || '@' || cast(deduplicated.updated_at as {{ dbt.type_string() }})
            as customer_version_id,
        deduplicated.id as customer_id,
        {{ hash_pii('deduplicated.' ~ email, 'email') }} as email_hash,
        {{ hash_pii('coalesce(' ~ phone_columns | join(', ') ~ ')', 'phone') }} as phone_hash,
        lower(fields.segment) as segment,
        lower(fields.plan) as plan,
        fields.signup_date,
        fields.cancel_date,
        upper(fields.country) as country_code,
        lower(fields.language) as language_code,
        deduplicated.updated_at,
        deduplicated._file,
        deduplicated._row,
        deduplicated._load_id,
        deduplicated._loaded_at
    from deduplicated
    left join fields
        on deduplicated._load_id = fields._load_id and deduplicated._row = fields._row
    where deduplicated.id not in (select deleted.id from deleted)

)

select * from renamed
{%- endmacro %}

{#- When a Salesforce record version begins: its history-mode start (_fivetran_start), else its
    last modification, else its sync (columns of the Contact or Account contract). -#}
{% macro salesforce_version_time() -%}
    coalesce(fivetran_start, last_modified_date, fivetran_synced)
{%- endmacro %}
