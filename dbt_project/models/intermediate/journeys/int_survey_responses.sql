{#-
    Every survey response of every survey source, in the columns of stg_survey__responses: the
    project's own landing contract and each survey tool's staging model, as listed in
    var('survey_response_models'). A listed source that delivered nothing adds no rows.
-#}
{{ config(materialized='view') }}

{{ union_models(var('survey_response_models'), [
    'response_id',
    'survey_type',
    'contact_id',
    'customer_id',
    'customer_email_hash',
    'sent_at',
    'responded_at',
    'nps_score',
    'csat_score',
    'ces_score',
    'verbatim',
    'language_code',
    '_file',
    '_row',
    '_load_id',
    '_loaded_at',
]) }}
