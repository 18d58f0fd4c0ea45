{#-
    Every delivered copy of every web event of every web source, in the canonical columns: the
    project's own landing contract (stg_web__events) and each web analytics tool's staging model,
    as listed in var('web_event_models'). Not deduplicated (int_web_events_sessionized does it
    once, reading only the copies it needs): a view, so filters on it reach the raw tables.
-#}
{{ config(materialized='view') }}

{{ union_models(var('web_event_models'), web_event_columns()) }}
