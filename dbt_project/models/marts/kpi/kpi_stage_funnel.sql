{#-
    The funnel as cohorts: customers whose journey started in the first stage (awareness) in a
    month (their first stage entry of any stage is an awareness entry),
    and how many of them went on to reach each later stage in order, each step within
    var('stage_conversion_window_days') (14) of the step before (the window stage conversion uses).
    A customer reaches stage N when they enter it within the window after reaching stage N-1, so
    every stage holds at most the customers of the stage before: the widths can only narrow.
    Customers whose journey starts later in the funnel (a first visit already on the pricing page,
    existing customers calling about an issue) are in no cohort, even if they pass through
    awareness later. A stage no source with data can reach, and every stage after it, is
    null ("no data"), not 0. Churn is an exit, not a funnel stage.
-#}
with recursive

entries as (

    select * from {{ ref('fct_journey_stages') }}

),

stages as (

    -- the stages before churn (an exit): not unknown or none, which come after it
    select * from {{ ref('dim_journey_stage') }}
    where stage_order < (
        select churn.stage_order from {{ ref('dim_journey_stage') }} as churn
        where churn.stage = 'churn'
    )

),

observable_stages as (

    {{ observable_stages() }}

),

staged_entries as (

    select
        entries.customer_key,
        stages.stage_order,
        entries.entered_at
    from entries
    inner join stages on entries.stage = stages.stage

),

journey_starts as (

    select
        entries.customer_key,
        min(entries.entered_at) as started_at
    from entries
    group by entries.customer_key

),

reached as (

    -- the cohort: customers whose first stage entry is an entry into the first stage
    select
        staged_entries.customer_key,
        staged_entries.stage_order,
        min(staged_entries.entered_at) as reached_at
    from staged_entries
    inner join journey_starts
        on
            staged_entries.customer_key = journey_starts.customer_key
            and staged_entries.entered_at = journey_starts.started_at
    where staged_entries.stage_order = 1
    group by staged_entries.customer_key, staged_entries.stage_order

    union all

    select
        reached.customer_key,
        staged_entries.stage_order,
        min(staged_entries.entered_at) as reached_at
    from reached
    inner join staged_entries
        on
            reached.customer_key = staged_entries.customer_key
            and reached.stage_order + 1 = staged_entries.stage_order
            and reached.reached_at <= staged_entries.entered_at
            and {{ dbt.dateadd('day', var('stage_conversion_window_days'), 'reached.reached_at') }}
            >= staged_entries.entered_at
    group by reached.customer_key, staged_entries.stage_order

),

cohorts as (

    select
        reached.customer_key,
        cast({{ dbt.date_trunc('month', local_date('reached.reached_at')) }} as date) as cohort_month
    from reached
    where reached.stage_order = 1

),

observed as (

    -- a stage is followed only while it and every stage before it can be observed
    select
        stages.stage,
        stages.stage_order,
        bool_and(earlier.stage in (select observable_stages.stage from observable_stages))
            as is_observable
    from stages
    inner join stages as earlier on stages.stage_order >= earlier.stage_order
    group by stages.stage, stages.stage_order

),

counts as (

    select
        cohorts.cohort_month,
        observed.stage,
        observed.stage_order,
        observed.is_observable,
        count(distinct cohorts.customer_key) as cohort_customers,
        count(distinct reached.customer_key) as customers_reached
    from cohorts
    cross join observed
    left join reached
        on
            cohorts.customer_key = reached.customer_key
            and observed.stage_order = reached.stage_order
    group by cohorts.cohort_month, observed.stage, observed.stage_order, observed.is_observable

),

final as (

    select
        counts.cohort_month,
        counts.stage,
        cast(counts.stage_order as integer) as stage_order,
        cast(counts.cohort_customers as bigint) as cohort_customers,
        case
            when counts.is_observable then cast(counts.customers_reached as bigint)
        end as customers_reached,
        case
            when counts.is_observable
                then cast(coalesce(previous.customers_reached, counts.cohort_customers) as bigint)
        end as previous_stage_reached,
        case
            when counts.is_observable then {{ ratio('counts.customers_reached', 'counts.cohort_customers') }}
        end as cohort_share,
        case
            when counts.is_observable then {{ ratio(
                'counts.customers_reached',
                'coalesce(previous.customers_reached, counts.cohort_customers)'
            ) }}
        end as step_conversion_rate
    from counts
    left join counts as previous
        on
            counts.cohort_month = previous.cohort_month
            and counts.stage_order = previous.stage_order + 1

)

select * from final
