{% macro survey_emotion_score(relation) %}
    {#- A survey answer as a 0-1 emotion score: NPS / 10, else (CSAT - 1) / 4, else null. -#}
    cast(
        case
            when {{ relation }}.is_nps_valid then {{ relation }}.nps_score / 10.0
            when {{ relation }}.is_csat_valid then ({{ relation }}.csat_score - 1) / 4.0
        end as double
    )
{%- endmacro %}

{% macro refresh_current_stage_days() %}
    {#- fct_journey_stages post-hook: a current stage's days_in_stage runs to the newest
        touchpoint of all customers, which moves with every load. -#}
    update {{ this }}
    set days_in_stage = cast({{ local_days_between(
        'entered_at', '(select max(started_at) from ' ~ ref('fct_touchpoints') ~ ')'
    ) }} as integer)
    where is_current
{%- endmacro %}
