{#-
    Journey KPIs per month of first entry x stage, for the funnel awareness -> consideration ->
    purchase -> service -> loyalty. A customer converts when they first enter the next stage
    within var('stage_conversion_window_days') (14) of first entering this one; a journey break is
    a customer whose window has passed without converting. Only customers whose window has closed
    by the end of the data have an outcome (a converter and a non-converter alike): counting the
    early converters of open windows would read 100 % on a fortnight of data. While no window of
    a month has closed, its rate is null and conversion_status says 'too early'. A next stage that no touchpoint
    type of a source with data can reach (by the stage rules) cannot be observed: its
    conversions and breaks are null ("no data"), not 0.
-#}
with

entries as (

    select * from {{ ref('fct_journey_stages') }}

),

stages as (

    select * from {{ ref('dim_journey_stage') }}

),

observable_stages as (

    {{ observable_stages() }}

),

data_end as (

    select max(entries.entered_at) as last_entered_at from entries

),

first_entries as (

    select
        entries.customer_key,
        entries.stage,
        min(entries.entered_at) as entered_at
    from entries
    group by entries.customer_key, entries.stage

),

funnel as (

    select
        first_entries.customer_key,
        first_entries.stage,
        stages.stage_order,
        next_stage.stage as next_stage,
        first_entries.entered_at,
        converted.entered_at as next_entered_at
    from first_entries
    inner join stages on first_entries.stage = stages.stage
    inner join stages as next_stage on stages.stage_order + 1 = next_stage.stage_order
    left join first_entries as converted
        on
            first_entries.customer_key = converted.customer_key
            and next_stage.stage = converted.stage
            and first_entries.entered_at <= converted.entered_at
            and {{ dbt.dateadd('day', var('stage_conversion_window_days'), 'first_entries.entered_at') }}
            >= converted.entered_at
    where stages.stage_order between 1 and 4

),

flagged as (

    select
        funnel.*,
        cast({{ dbt.date_trunc('month', local_date('funnel.entered_at')) }} as date) as entry_month,
        {{ dbt.dateadd('day', var('stage_conversion_window_days'), 'funnel.entered_at') }}
        <= data_end.last_entered_at as is_window_closed,
        funnel.next_stage in (select observable_stages.stage from observable_stages)
            as is_observable
    from funnel
    cross join data_end

),

outcomes as (

    select
        flagged.*,
        flagged.is_window_closed and flagged.next_entered_at is not null as is_converted,
        flagged.is_window_closed and flagged.next_entered_at is null as is_break
    from flagged

),

time_in_stage as (

    select
        cast({{ dbt.date_trunc('month', local_date('entries.entered_at')) }} as date) as entry_month,
        entries.stage,
        count(entries.days_in_stage) as stays_measured,
        sum(entries.days_in_stage) as days_in_stage,
        avg(entries.days_in_stage) as mean_days_in_stage
    from entries
    group by cast({{ dbt.date_trunc('month', local_date('entries.entered_at')) }} as date), entries.stage

),

final as (

    select
        outcomes.entry_month,
        outcomes.stage,
        cast(min(outcomes.stage_order) as integer) as stage_order,
        min(outcomes.next_stage) as next_stage,
        cast(count(*) as bigint) as customers_entered,
        case
            when bool_or(outcomes.is_observable)
                then cast(count(*) filter (where outcomes.is_converted) as bigint)
        end as customers_converted,
        case
            when bool_or(outcomes.is_observable)
                then cast(count(*) filter (where outcomes.is_break) as bigint)
        end as journey_breaks,
        -- the denominator of conversion (customers still inside their window are left out)
        case
            when bool_or(outcomes.is_observable)
                then cast(count(*) filter (where outcomes.is_converted or outcomes.is_break) as bigint)
        end as customers_with_outcome,
        case
            when bool_or(outcomes.is_observable)
                then cast(count(*) filter (where not outcomes.is_window_closed) as bigint)
        end as customers_in_window,
        case
            when bool_or(outcomes.is_observable)
                then {{ ratio(
                    'count(*) filter (where outcomes.is_converted)',
                    'count(*) filter (where outcomes.is_converted or outcomes.is_break)'
                ) }}
        end as stage_conversion_rate,
        case
            when not bool_or(outcomes.is_observable) then 'no data'
            when bool_and(not outcomes.is_window_closed) then 'too early'
            else 'measured'
        end as conversion_status,
        cast(coalesce(min(time_in_stage.stays_measured), 0) as bigint) as stays_measured,
        cast(coalesce(min(time_in_stage.days_in_stage), 0) as double) as days_in_stage,
        cast(min(time_in_stage.mean_days_in_stage) as double) as mean_days_in_stage
    from outcomes
    left join time_in_stage
        on
            outcomes.entry_month = time_in_stage.entry_month
            and outcomes.stage = time_in_stage.stage
    group by outcomes.entry_month, outcomes.stage

)

select * from final
