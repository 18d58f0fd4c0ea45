{#-
    Moments of truth: one row per moment (touchpoint type and outcome, e.g. agent_call /
    unresolved), comparing CRM customers who had it with those who did not: relationship NPS
    after the moment (for those who had it) or at any time (for those who did not), and the
    share who cancelled after it (or at all). Each difference has its 95 % interval
    (macros/statistics.sql). A moment is ranked only with the support of var min_support on both
    sides (NPS responses; customers, for churn), and by the bound of its interval nearest zero:
    the lower bound of the effect the rank names (lift: NPS up; harm: NPS down, churn up).
    Contacts in the churn stage (about cancelling) are no moment: they are the churn. Other
    moments are compared, not controlled for the contact reason: a difference is an
    association, not a proven cause (docs/kpis.md).
-#}
with

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),

responses as (

    select * from {{ ref('fct_survey_responses') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

crm_customers as (

    select
        customers.customer_key,
        max(customers.cancel_date) as cancel_date
    from customers
    where not customers.is_anonymous and customers.customer_key <> '-1'
    group by customers.customer_key

),

moments as (

    select
        touchpoints.customer_key,
        touchpoints.touchpoint_type,
        touchpoints.outcome,
        min(touchpoints.started_at) as first_had_at
    from touchpoints
    inner join crm_customers on touchpoints.customer_key = crm_customers.customer_key
    -- a contact in the churn stage (a call to cancel) is the churn itself, not a moment that
    -- causes it: counted, a resolved cancellation call would rank as the top churn cause
    where
        touchpoints.touchpoint_type not in ('survey_response', 'cancellation')
        and coalesce(touchpoints.stage, '') <> 'churn'
    group by touchpoints.customer_key, touchpoints.touchpoint_type, touchpoints.outcome

),

moment_types as (

    select distinct
        moments.touchpoint_type,
        moments.outcome
    from moments

),

relationship_nps as (

    select
        responses.customer_key,
        responses.responded_at,
        responses.nps_category
    from responses
    where responses.survey_type = 'relationship' and responses.is_nps_valid

),

customer_moment as (

    select
        moment_types.touchpoint_type,
        moment_types.outcome,
        crm_customers.customer_key,
        crm_customers.cancel_date,
        moments.first_had_at,
        moments.customer_key is not null as had_moment
    from moment_types
    cross join crm_customers
    left join moments
        on
            moment_types.touchpoint_type = moments.touchpoint_type
            and moment_types.outcome = moments.outcome
            and crm_customers.customer_key = moments.customer_key

),

later_nps as (

    select
        customer_moment.touchpoint_type,
        customer_moment.outcome,
        customer_moment.had_moment,
        count(*) as nps_responses,
        count(*) filter (where relationship_nps.nps_category = 'promoter') as promoters,
        count(*) filter (where relationship_nps.nps_category = 'detractor') as detractors
    from customer_moment
    inner join relationship_nps
        on
            customer_moment.customer_key = relationship_nps.customer_key
            and (
                not customer_moment.had_moment
                or customer_moment.first_had_at < relationship_nps.responded_at
            )
    group by customer_moment.touchpoint_type, customer_moment.outcome, customer_moment.had_moment

),

churn as (

    select
        customer_moment.touchpoint_type,
        customer_moment.outcome,
        customer_moment.had_moment,
        count(*) as customers,
        count(*) filter (
            where customer_moment.cancel_date is not null
            and (
                not customer_moment.had_moment
                or customer_moment.cancel_date >= {{ local_date('customer_moment.first_had_at') }}
            )
        ) as customers_cancelled
    from customer_moment
    group by customer_moment.touchpoint_type, customer_moment.outcome, customer_moment.had_moment

),

compared as (

    select
        churn.touchpoint_type,
        churn.outcome,
        max(case when churn.had_moment then churn.customers end) as customers_with,
        max(case when not churn.had_moment then churn.customers end) as customers_without,
        max(case when churn.had_moment then churn.customers_cancelled end) as cancelled_with,
        max(case when not churn.had_moment then churn.customers_cancelled end) as cancelled_without,
        max(case when later_nps.had_moment then later_nps.nps_responses end) as nps_responses_with,
        max(case when not later_nps.had_moment then later_nps.nps_responses end)
            as nps_responses_without,
        max(case when later_nps.had_moment then later_nps.promoters end) as promoters_with,
        max(case when later_nps.had_moment then later_nps.detractors end) as detractors_with,
        max(case when not later_nps.had_moment then later_nps.promoters end) as promoters_without,
        max(case when not later_nps.had_moment then later_nps.detractors end)
            as detractors_without,
        max(case when later_nps.had_moment then {{ nps(
            'later_nps.promoters', 'later_nps.detractors', 'later_nps.nps_responses') }} end)
            as nps_with,
        max(case when not later_nps.had_moment then {{ nps(
            'later_nps.promoters', 'later_nps.detractors', 'later_nps.nps_responses') }} end)
            as nps_without
    from churn
    left join later_nps
        on
            churn.touchpoint_type = later_nps.touchpoint_type
            and churn.outcome = later_nps.outcome
            and churn.had_moment = later_nps.had_moment
    group by churn.touchpoint_type, churn.outcome

),

intervals as (

    select
        compared.*,
        {{ nps_difference_bound(
            'compared.promoters_with', 'compared.detractors_with', 'compared.nps_responses_with',
            'compared.promoters_without', 'compared.detractors_without',
            'compared.nps_responses_without', 'low') }} as nps_difference_low,
        {{ nps_difference_bound(
            'compared.promoters_with', 'compared.detractors_with', 'compared.nps_responses_with',
            'compared.promoters_without', 'compared.detractors_without',
            'compared.nps_responses_without', 'high') }} as nps_difference_high,
        {{ proportion_difference_bound(
            'compared.cancelled_with', 'compared.customers_with',
            'compared.cancelled_without', 'compared.customers_without', 'low') }}
            as churn_rate_difference_low,
        {{ proportion_difference_bound(
            'compared.cancelled_with', 'compared.customers_with',
            'compared.cancelled_without', 'compared.customers_without', 'high') }}
            as churn_rate_difference_high,
        least(
            coalesce(compared.nps_responses_with, 0), coalesce(compared.nps_responses_without, 0)
        )
            as nps_support,
        least(coalesce(compared.customers_with, 0), coalesce(compared.customers_without, 0))
            as churn_support
    from compared

),

supported as (

    select
        intervals.*,
        intervals.nps_support >= {{ var('min_support') }} as has_nps_support,
        intervals.churn_support >= {{ var('min_support') }} as has_churn_support,
        -- the bound each rank orders by, for moments with support only
        case
            when intervals.nps_support >= {{ var('min_support') }}
                then intervals.nps_difference_low
        end as nps_lift_key,
        case
            when intervals.nps_support >= {{ var('min_support') }}
                then intervals.nps_difference_high
        end as nps_harm_key,
        case
            when intervals.churn_support >= {{ var('min_support') }}
                then intervals.churn_rate_difference_low
        end as churn_harm_key
    from intervals

),

final as (

    select
        supported.touchpoint_type,
        supported.outcome,
        cast(coalesce(supported.customers_with, 0) as bigint) as customers_with,
        cast(coalesce(supported.customers_without, 0) as bigint) as customers_without,
        cast(coalesce(supported.nps_responses_with, 0) as bigint) as nps_responses_with,
        cast(coalesce(supported.nps_responses_without, 0) as bigint) as nps_responses_without,
        cast(coalesce(supported.promoters_with, 0) as bigint) as promoters_with,
        cast(coalesce(supported.detractors_with, 0) as bigint) as detractors_with,
        cast(coalesce(supported.promoters_without, 0) as bigint) as promoters_without,
        cast(coalesce(supported.detractors_without, 0) as bigint) as detractors_without,
        cast(coalesce(supported.cancelled_with, 0) as bigint) as customers_cancelled_with,
        cast(coalesce(supported.cancelled_without, 0) as bigint) as customers_cancelled_without,
        cast(supported.nps_with as double) as nps_with,
        cast(supported.nps_without as double) as nps_without,
        cast(supported.nps_with - supported.nps_without as double) as nps_difference,
        cast(supported.nps_difference_low as double) as nps_difference_low,
        cast(supported.nps_difference_high as double) as nps_difference_high,
        {{ ratio('supported.cancelled_with', 'supported.customers_with') }} as churn_rate_with,
        {{ ratio('supported.cancelled_without', 'supported.customers_without') }}
            as churn_rate_without,
        {{ ratio('supported.cancelled_with', 'supported.customers_with') }}
        - {{ ratio('supported.cancelled_without', 'supported.customers_without') }}
            as churn_rate_difference,
        cast(supported.churn_rate_difference_low as double) as churn_rate_difference_low,
        cast(supported.churn_rate_difference_high as double) as churn_rate_difference_high,
        cast(supported.nps_support as bigint) as nps_support,
        supported.has_nps_support,
        cast(supported.churn_support as bigint) as churn_support,
        supported.has_churn_support,
        cast({{ var('min_support') }} as bigint) as min_support,
        cast(case when supported.has_nps_support then rank() over (
            order by supported.nps_lift_key desc nulls last
        ) end as bigint) as nps_lift_rank,
        cast(case when supported.has_nps_support then rank() over (
            order by supported.nps_harm_key asc nulls last
        ) end as bigint) as nps_harm_rank,
        cast(case when supported.has_churn_support then rank() over (
            order by supported.churn_harm_key desc nulls last
        ) end as bigint) as churn_harm_rank
    from supported

)

select * from final
