{#-
    The headline KPIs and their targets, published so that reports and BI tools compare with the
    same targets (edited in seeds/kpi_targets.csv), with how each rolls up (kpi_definitions, from
    the KPI's ratio_of test beside its model).
-#}
with

targets as (

    select * from {{ ref('kpi_targets') }}

),

definitions as (

    select * from {{ ref('kpi_definitions') }}

),

final as (

    select
        targets.kpi_model,
        targets.kpi_column,
        targets.kpi_name,
        cast(targets.target as double) as target,
        targets.direction,
        targets.unit,
        kpi.numerator,
        kpi.denominator,
        kpi.scale,
        targets.period_column,
        targets.row_filter,
        targets.note,
        targets.context_column,
        context_definition.numerator as context_numerator,
        context_definition.denominator as context_denominator,
        targets.context_label
    from targets
    left join definitions as kpi
        on
            targets.kpi_model = kpi.kpi_model
            and targets.kpi_column = kpi.kpi_column
    left join definitions as context_definition
        on
            targets.kpi_model = context_definition.kpi_model
            and targets.context_column = context_definition.kpi_column

)

select * from final
