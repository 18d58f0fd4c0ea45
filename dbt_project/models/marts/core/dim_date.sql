with

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),

bounds as (

    select
        min(touchpoints.touchpoint_date) as first_day,
        max(touchpoints.touchpoint_date) as last_day
    from touchpoints

),

days as (

    {{ days_between(
        "(select " ~ dbt.dateadd('day', -30, 'bounds.first_day') ~ " from bounds)",
        "(select " ~ dbt.dateadd('day', 30, 'bounds.last_day') ~ " from bounds)"
    ) }}

),

final as (

    select
        cast(days.date_day as date) as date_day,
        cast(
            extract(year from days.date_day) * 10000
            + extract(month from days.date_day) * 100
            + extract(day from days.date_day) as integer
        ) as date_key,
        cast(extract(year from days.date_day) as integer) as year_number,
        cast(extract(month from days.date_day) as integer) as month_number,
        cast({{ dbt.date_trunc('month', 'days.date_day') }} as date) as month_start_date,
        cast({{ dbt.date_trunc('week', 'days.date_day') }} as date) as week_start_date,
        cast(extract(isodow from days.date_day) as integer) as iso_day_of_week,
        extract(isodow from days.date_day) in (6, 7) as is_weekend
    from days

)

select * from final
