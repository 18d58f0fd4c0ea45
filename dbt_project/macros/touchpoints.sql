{% macro survey_emotion_score(relation) %}
    {#- A survey answer as a 0-1 emotion score: NPS / 10, else (CSAT - 1) / 4, else null. -#}
    cast(
        case
            when {{ relation }}.is_nps_valid then {{ relation }}.nps_score / 10.0
            when {{ relation }}.is_csat_valid then ({{ relation }}.csat_score - 1) / 4.0
        end as double
    )
{%- endmacro %}
