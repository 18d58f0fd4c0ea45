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
