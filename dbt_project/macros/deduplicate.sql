{#- Keep one row per natural key: the latest load wins (then the last row of that file).
    Duplicates are rare, so only the rows of keys seen more than once are ranked; every other
    row passes straight through (ranking the whole relation costs twice as much). Keys are
    compared as structs, so a null key is one key, as in a window partition. -#}
{% macro deduplicate(relation, partition_by, order_by='_loaded_at desc, _load_id desc, _row desc') -%}
    with

    repeated_keys as (

        select struct_pack({{ partition_by }}) as natural_key
        from {{ relation }}
        group by natural_key
        having count(*) > 1

    )

    select unique_rows.*
    from {{ relation }} as unique_rows
    where struct_pack({{ partition_by }}) not in (select repeated_keys.natural_key from repeated_keys)
    union all
    select ranked.* exclude (_dedupe_rank)
    from (
        select
            *,
            row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as _dedupe_rank
        from {{ relation }}
        where struct_pack({{ partition_by }}) in (select repeated_keys.natural_key from repeated_keys)
    ) as ranked
    where ranked._dedupe_rank = 1
{%- endmacro %}
