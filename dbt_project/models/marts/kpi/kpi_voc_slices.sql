{#-
    NPS, CSAT and CES easy rate by one dimension at a time (stage, channel, segment) over the
    whole published history: the comparisons the VoC page draws, each with its count, its 95 %
    interval (macros/statistics.sql) and whether it has the support of var min_support. Summed
    from kpi_voc's months, so the counts are kpi_voc's.
-#}
{%- set dimensions = ['stage', 'channel', 'segment'] %}
with

voc as (

    select * from {{ ref('kpi_voc') }}
    where period_grain = 'month'

),

slices as (

    {% for dimension in dimensions -%}
    select
        '{{ dimension }}' as dimension,
        voc.{{ dimension }} as slice,
        sum(voc.responses) as responses,
        sum(voc.nps_responses) as nps_responses,
        sum(voc.promoters) as promoters,
        sum(voc.detractors) as detractors,
        sum(voc.csat_responses) as csat_responses,
        sum(voc.csat_satisfied) as csat_satisfied,
        sum(voc.ces_responses) as ces_responses,
        sum(voc.ces_easy) as ces_easy
    from voc
    group by voc.{{ dimension }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        slices.dimension,
        slices.slice,
        cast(slices.responses as bigint) as responses,
        cast(slices.nps_responses as bigint) as nps_responses,
        cast(slices.promoters as bigint) as promoters,
        cast(slices.detractors as bigint) as detractors,
        {{ nps('slices.promoters', 'slices.detractors', 'slices.nps_responses') }} as nps,
        {{ nps_bound('slices.promoters', 'slices.detractors', 'slices.nps_responses', 'low') }}
            as nps_low,
        {{ nps_bound('slices.promoters', 'slices.detractors', 'slices.nps_responses', 'high') }}
            as nps_high,
        slices.nps_responses >= {{ var('min_support') }} as has_nps_support,
        cast(slices.csat_responses as bigint) as csat_responses,
        cast(slices.csat_satisfied as bigint) as csat_satisfied,
        {{ ratio('slices.csat_satisfied', 'slices.csat_responses') }} as csat,
        {{ wilson_bound('slices.csat_satisfied', 'slices.csat_responses', 'low') }} as csat_low,
        {{ wilson_bound('slices.csat_satisfied', 'slices.csat_responses', 'high') }} as csat_high,
        slices.csat_responses >= {{ var('min_support') }} as has_csat_support,
        cast(slices.ces_responses as bigint) as ces_responses,
        cast(slices.ces_easy as bigint) as ces_easy,
        {{ ratio('slices.ces_easy', 'slices.ces_responses') }} as ces_easy_rate,
        {{ wilson_bound('slices.ces_easy', 'slices.ces_responses', 'low') }} as ces_easy_rate_low,
        {{ wilson_bound('slices.ces_easy', 'slices.ces_responses', 'high') }}
            as ces_easy_rate_high,
        slices.ces_responses >= {{ var('min_support') }} as has_ces_support,
        cast({{ var('min_support') }} as bigint) as min_support
    from slices

)

select * from final
