{#-
    Digital-to-assisted escalation per day x customer segment: web visits with help-centre
    activity followed by an assisted contact of the same customer within
    var('escalation_window_hours') (72); the rule is the macro is_digital_escalation.
-#}
with

sessions as (

    select * from {{ ref('fct_web_sessions') }}

),

chains as (

    select * from {{ ref('int_contact_chains_windowed') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

help_visits as (

    select sessions.*
    from sessions
    where sessions.has_help_centre

),

escalated as (

    select distinct help_visits.session_id
    from help_visits
    inner join chains on {{ is_digital_escalation('help_visits', 'chains') }}

),

final as (

    select
        help_visits.session_date as date_day,
        coalesce(customers.segment, 'unknown') as segment,
        cast(count(*) as bigint) as help_centre_visits,
        cast(count(escalated.session_id) as bigint) as escalated_visits,
        {{ ratio('count(escalated.session_id)', 'count(*)') }} as channel_escalation_rate
    from help_visits
    left join escalated on help_visits.session_id = escalated.session_id
    left join customers on help_visits.customer_sk = customers.customer_sk
    group by help_visits.session_date, coalesce(customers.segment, 'unknown')

)

select * from final
