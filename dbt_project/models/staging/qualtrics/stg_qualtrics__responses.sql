{#-
    Qualtrics survey responses from CSV exports, in the columns of stg_survey__responses. The
    question and embedded-data columns of an export are in `_extra` under their column ids; the
    mapping (seed qualtrics_fields, matched against the export's file name) is the macro
    qualtrics_survey_responses. Responded: RecordedDate (legacy exports: EndDate).
    docs/vendors/qualtrics.md.
-#}
with

-- Qualtrics' column ids in snake case (DuckDB matches identifiers case-insensitively)
source as (

    select
        responseid as response_id,
        recordeddate as recorded_at,
        enddate as ended_at,
        externalreference as external_reference,
        recipientemail as recipient_email,
        userlanguage as user_language,
        _extra,
        _file,
        _row,
        _load_id,
        _loaded_at
    from {{ source('qualtrics', 'responses') }}

),

responses as (

    select
        deduplicated.*,
        deduplicated._file as matched_name
    from ({{ deduplicate('source', 'response_id') }}) as deduplicated

),

answers as (

    select
        responses.response_id,
        extra_keys.column_id,
        responses._extra ->> extra_keys.column_id as answer
    from responses
    cross join unnest(json_keys(responses._extra)) as extra_keys (column_id)

),

final as (

    {{ qualtrics_survey_responses('responses', 'answers') }}

)

select * from final
