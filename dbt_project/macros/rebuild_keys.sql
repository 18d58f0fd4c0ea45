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

{% macro get_incremental_replace_from_sql(arg_dict) %}
    {#- Incremental strategy 'replace_from': for each key it rebuilds, the model returns every
        row from a point on (e.g. a cookie's sessions from the first one sessionized again); the
        target's rows of that key from the same point (the key's earliest
        config('replace_from') among the new rows) are replaced, the earlier ones kept. When a
        new row of the key meets config('replace_whole_when') (e.g. it is the key's first
        session), every old row of the key is replaced. -#}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set replace_from = config.require('replace_from') -%}
    {%- set replace_whole_when = config.get('replace_whole_when', 'false') -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }} as target_rows
    using (
        select
            {{ unique_key }},
            max(case when {{ replace_whole_when }} then 1 else 0 end) = 1 as is_whole,
            min({{ replace_from }}) as replaced_from
        from {{ source }}
        group by {{ unique_key }}
    ) as replaced
    where
        target_rows.{{ unique_key }} = replaced.{{ unique_key }}
        and (replaced.is_whole or target_rows.{{ replace_from }} >= replaced.replaced_from);

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ source }}
{% endmacro %}
