{#-
    The headline KPIs and their targets, published so that reports and BI tools compare with the
    same targets (edited in seeds/kpi_targets.csv).
-#}
with

targets as (

    select * from {{ ref('kpi_targets') }}

),

final as (

    select
        targets.kpi_model,
        targets.kpi_column,
        targets.kpi_name,
        cast(targets.target as double) as target,
        targets.direction,
        targets.unit,
        targets.weight_column,
        targets.period_column,
        targets.row_filter,
        targets.note,
        targets.context_column,
        targets.context_weight,
        targets.context_label
    from targets

)

select * from final
