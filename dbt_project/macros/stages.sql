{#- The journey stages some source with data can reach by the stage rules: a stage no touchpoint
    type of a delivering source leads to cannot be observed ("no data", not 0). A select over
    stage_rules, touchpoint_types and dim_source, one column: stage. -#}
{% macro observable_stages() -%}
    select distinct stage_rules.stage
    from {{ ref('stage_rules') }} as stage_rules
    inner join {{ ref('touchpoint_types') }} as touchpoint_types
        on stage_rules.touchpoint_type in (touchpoint_types.touchpoint_type, '*')
    inner join {{ ref('dim_source') }} as coverage on touchpoint_types.source = coverage.feeds
    where coverage.has_data
{%- endmacro %}
