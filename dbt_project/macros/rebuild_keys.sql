{% macro get_incremental_rebuild_keys_sql(arg_dict) %}
    {#- Incremental strategy 'rebuild_keys': the model returns every row of each key it rebuilds
        (e.g. all touchpoints of a customer); the target's old rows of those keys are replaced.
        A row whose config('row_id') column is null only names a key with nothing left: its old
        rows are deleted and the marker row is not inserted. -#}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set row_id = config.require('row_id') -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where {{ unique_key }} in (select {{ unique_key }} from {{ source }});

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ source }}
    where {{ row_id }} is not null
{% endmacro %}

{% macro rebuild_keys_rows(rows, keys, key) %}
    {#- For a rebuild_keys model: every row of CTE `rows`, and for each key in CTE `keys` (column
        `key`) with no row, one marker row holding only the key. Columns as in {{ this }}. -#}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    select
        {%- for column in columns %}
        {{ keys if column == key else rows }}.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ keys }}
    left join {{ rows }} on {{ keys }}.{{ key }} = {{ rows }}.{{ key }}
{%- endmacro %}
