{#-
    Voice-of-customer KPIs per period (week and month, in period_grain) x journey stage x channel
    x customer segment. The stage is the survey touchpoint's; the channel is the surveyed
    contact's (post-contact surveys; 'unknown' when the rated contact is not known) or 'survey'
    (relationship surveys). Only valid scores count.
-#}
with

enriched as (

    {{ voc_responses() }}

),

periods as (

    select
        'week' as period_grain,
        cast({{ dbt.date_trunc('week', 'enriched.response_date') }} as date) as period_start,
        enriched.*
    from enriched
    union all
    select
        'month' as period_grain,
        cast({{ dbt.date_trunc('month', 'enriched.response_date') }} as date) as period_start,
        enriched.*
    from enriched

),

counted as (

    select
        periods.period_grain,
        periods.period_start,
        periods.stage,
        periods.channel,
        periods.segment,
        count(*) as responses,
        count(*) filter (where periods.is_nps_valid) as nps_responses,
        count(*) filter (where periods.nps_category = 'promoter') as promoters,
        count(*) filter (where periods.nps_category = 'detractor') as detractors,
        count(*) filter (where periods.is_csat_valid) as csat_responses,
        count(*) filter (where periods.is_csat_top_2_box) as csat_top_2_box,
        count(*) filter (where periods.is_ces_valid) as ces_responses,
        sum(periods.ces_score) filter (where periods.is_ces_valid) as ces_total,
        count(*) filter (where periods.is_ces_easy) as ces_easy
    from periods
    group by
        periods.period_grain, periods.period_start, periods.stage, periods.channel, periods.segment

),

final as (

    select
        counted.period_grain,
        counted.period_start,
        counted.stage,
        counted.channel,
        counted.segment,
        cast(counted.responses as bigint) as responses,
        cast(counted.nps_responses as bigint) as nps_responses,
        cast(counted.promoters as bigint) as promoters,
        cast(counted.detractors as bigint) as detractors,
        {{ nps('counted.promoters', 'counted.detractors', 'counted.nps_responses') }} as nps,
        cast(counted.csat_responses as bigint) as csat_responses,
        cast(counted.csat_top_2_box as bigint) as csat_satisfied,
        {{ ratio('counted.csat_top_2_box', 'counted.csat_responses') }} as csat,
        cast(counted.ces_responses as bigint) as ces_responses,
        cast(coalesce(counted.ces_total, 0) as bigint) as ces_score_total,
        cast(counted.ces_easy as bigint) as ces_easy,
        {{ ratio('counted.ces_total', 'counted.ces_responses') }} as ces_mean,
        {{ ratio('counted.ces_easy', 'counted.ces_responses') }} as ces_easy_rate
    from counted

)

select * from final
