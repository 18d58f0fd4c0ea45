{#- Keep one row per natural key: the latest load wins (then the last row of that file).
    Duplicates are rare, so only the rows of keys seen more than once are ranked; every other
    row passes straight through (ranking the whole relation costs twice as much). Keys match
    with `is not distinct from`, so a null key is one key, as in a window partition. -#}
{% macro deduplicate(relation, partition_by, order_by='_loaded_at desc, _load_id desc, _row desc') -%}
    {%- set keys = partition_by.split(',') | map('trim') | list -%}
    {#- "repeated_keys holds this row's key", for a row aliased ROWS -#}
    {%- set is_repeated -%}
        exists (
            select 1
            from repeated_keys
            where
                {% for key in keys -%}
                repeated_keys.{{ key }} is not distinct from ROWS.{{ key }}
                {%- if not loop.last %} and {% endif %}
                {%- endfor %}
        )
    {%- endset -%}
    with

    repeated_keys as (

        select {{ partition_by }}
        from {{ relation }}
        group by {{ partition_by }}
        having count(*) > 1

    )

    select
        unique_rows.*,
        1 as _dedupe_rank
    from {{ relation }} as unique_rows
    where not {{ is_repeated | replace('ROWS.', 'unique_rows.') }}
    union all
    select ranked.*
    from (
        select
            repeated_rows.*,
            row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as _dedupe_rank
        from {{ relation }} as repeated_rows
        where {{ is_repeated | replace('ROWS.', 'repeated_rows.') }}
    ) as ranked
    where ranked._dedupe_rank = 1
{%- endmacro %}
