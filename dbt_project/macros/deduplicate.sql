{#- Keep one row per natural key: the latest load wins (then the last row of that file). -#}
{% macro deduplicate(relation, partition_by, order_by='_loaded_at desc, _load_id desc, _row desc') -%}
    select deduplicated.*
    from (
        select
            *,
            row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as _dedupe_rank
        from {{ relation }}
    ) as deduplicated
    where deduplicated._dedupe_rank = 1
{%- endmacro %}
