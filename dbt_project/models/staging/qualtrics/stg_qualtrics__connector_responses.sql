{#-
    Qualtrics survey responses from the tables the Fivetran connector lands (survey_response,
    question_response, survey_embedded_data), in the columns of stg_survey__responses. An
    answer's column id is its question id (QID5), with `_<sub_question_key>` for a matrix row
    (QID5_1) and `<loop_id>_` before it in a loop; an embedded-data field's is its key. The
    mapping (seed qualtrics_fields, matched against the survey id) is the macro
    qualtrics_survey_responses. docs/vendors/qualtrics.md.
-#}
with

survey_responses as (

    select
        id as response_id,
        survey_id as matched_name,
        cast(null as {{ dbt.type_string() }}) as external_reference,
        recipient_email,
        user_language,
        recorded_date as recorded_at,
        end_date as ended_at,
        _file,
        _row,
        _load_id,
        _loaded_at
    from {{ source('qualtrics_survey_responses', 'survey_response') }}

),

question_responses as (

    select * from {{ source('qualtrics_question_responses', 'question_response') }}

),

embedded_data as (

    select * from {{ source('qualtrics_embedded_data', 'survey_embedded_data') }}

),

responses as (

    {{ deduplicate('survey_responses', 'response_id') }}

),

latest_answers as (

    {{ deduplicate('question_responses', 'fivetran_id') }}

),

latest_embedded as (

    {{ deduplicate('embedded_data', 'response_id, key') }}

),

answers as (

    select
        latest_answers.response_id,
        coalesce(latest_answers.loop_id || '_', '')
        || latest_answers.question_id
        || coalesce('_' || latest_answers.sub_question_key, '') as column_id,
        coalesce(latest_answers.value, latest_answers.text) as answer
    from latest_answers
    union all
    select
        latest_embedded.response_id,
        latest_embedded.key as column_id,
        latest_embedded.value as answer
    from latest_embedded

),

final as (

    {{ qualtrics_survey_responses('responses', 'answers') }}

)

select * from final
