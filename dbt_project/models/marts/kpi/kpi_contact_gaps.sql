{#-
    How long customers wait between two contacts about the same issue: every gap between
    consecutive contacts of a known customer's service episode, by reason x first channel x gap
    band (var contact_gap_band_hours: the upper bounds of the bands, in hours), over the
    published history, with the hours summed for the band's mean.
-#}
{%- set bounds = var('contact_gap_band_hours') %}
with

chains as (

    select * from {{ ref('int_contact_chains_windowed') }}

),

journeys as (

    select * from {{ ref('fct_service_journeys') }}
    where is_customer_known

),

gaps as (

    select
        journeys.reason,
        journeys.first_channel,
        {{ seconds_between('chains.previous_started_at', 'chains.started_at') }} / 3600.0
            as gap_hours
    from chains
    inner join journeys on chains.episode_id = journeys.episode_id
    where chains.chain_number_in_episode > 1

),

banded as (

    select
        gaps.*,
        case
            {% for bound in bounds -%}
            when gaps.gap_hours < {{ bound }} then {{ loop.index }}
            {% endfor -%}
            else {{ bounds | length + 1 }}
        end as band_order,
        case
            {% for bound in bounds -%}
            when gaps.gap_hours < {{ bound }}
                then '{{ (bounds[loop.index0 - 1] ~ "-" ~ bound) if not loop.first else "< " ~ bound }} h'
            {% endfor -%}
            else '{{ bounds[-1] }} h +'
        end as gap_band
    from gaps

),

final as (

    select
        banded.reason,
        banded.first_channel,
        cast(banded.band_order as integer) as band_order,
        banded.gap_band,
        cast(count(*) as bigint) as gaps,
        cast(sum(banded.gap_hours) as double) as gap_hours,
        {{ ratio('sum(banded.gap_hours)', 'count(*)') }} as mean_gap_hours
    from banded
    group by banded.reason, banded.first_channel, banded.band_order, banded.gap_band

)

select * from final
