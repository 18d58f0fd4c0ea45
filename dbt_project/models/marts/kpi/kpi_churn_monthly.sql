{#-
    Churn per month x customer segment (segment at the month's start): customers who cancelled
    in the month / customers active at its start.
-#}
with

customers as (

    select * from {{ ref('dim_customer') }}

),

dates as (

    select * from {{ ref('dim_date') }}

),

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),

period as (

    select
        min(touchpoints.touchpoint_date) as first_day,
        max(touchpoints.touchpoint_date) as last_day
    from touchpoints

),

months as (

    select distinct
        dates.month_start_date,
        cast({{ dbt.dateadd('month', 1, 'dates.month_start_date') }} as date) as next_month_start
    from dates
    cross join period
    where dates.date_day between period.first_day and period.last_day

),

crm_customers as (

    select customers.*
    from customers
    where not customers.is_anonymous and customers.customer_key <> '-1'

),

at_month_start as (

    select
        months.month_start_date,
        crm_customers.customer_key,
        crm_customers.segment,
        crm_customers.cancel_date >= months.month_start_date
        and crm_customers.cancel_date < months.next_month_start as is_cancelled_in_month
    from months
    inner join crm_customers
        on
            months.month_start_date > crm_customers.signup_date
            and (
                crm_customers.cancel_date is null
                or months.month_start_date <= crm_customers.cancel_date
            )
            and cast(months.month_start_date as timestamp) >= crm_customers.valid_from
            and (
                crm_customers.valid_to is null
                or cast(months.month_start_date as timestamp) < crm_customers.valid_to
            )

),

final as (

    select
        at_month_start.month_start_date,
        at_month_start.segment,
        cast(count(*) as bigint) as customers_at_start,
        cast(count(*) filter (where at_month_start.is_cancelled_in_month) as bigint)
            as customers_cancelled,
        {{ ratio('count(*) filter (where at_month_start.is_cancelled_in_month)', 'count(*)') }}
            as churn_rate
    from at_month_start
    group by at_month_start.month_start_date, at_month_start.segment

)

select * from final
