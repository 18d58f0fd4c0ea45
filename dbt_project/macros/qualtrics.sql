{#-
    Qualtrics responses in the columns of stg_survey__responses: the one home of the mapping
    rules, for the CSV exports (stg_qualtrics__responses) and the connector's tables
    (stg_qualtrics__connector_responses).

    `responses`: one row per response with response_id, matched_name (what the seed's
    file_pattern is matched against: the export's file, or the connector's survey id),
    external_reference, recipient_email, user_language, recorded_at, ended_at and the lineage
    columns. `answers`: response_id, column_id (a question or embedded-data id) and answer.

    The seed qualtrics_fields says which column is the NPS, CSAT, CES, verbatim, contact id,
    customer id, survey type or language (the most specific pattern wins for a column). A
    response names its customer by the customer_id field, else its external reference (the
    CRM id set at distribution), else its recipient e-mail (hashed). A response with a contact
    id is a post-contact survey unless a survey_type field says otherwise.
-#}
{% macro qualtrics_survey_responses(responses, answers) %}
    with

    fields as (

        select * from {{ ref('qualtrics_fields') }}

    ),

    matched as (

        select
            {{ answers }}.response_id,
            fields.field,
            arg_max(nullif(trim({{ answers }}.answer), ''), length(fields.file_pattern))
                as answer
        from {{ answers }}
        inner join {{ responses }} on {{ answers }}.response_id = {{ responses }}.response_id
        inner join fields
            on
                {{ answers }}.column_id = fields.column_id
                and {{ responses }}.matched_name like '%' || replace(fields.file_pattern, '*', '%')
        group by {{ answers }}.response_id, fields.field

    ),

    pivoted as (

        select
            matched.response_id,
            max(matched.answer) filter (where matched.field = 'nps') as nps,
            max(matched.answer) filter (where matched.field = 'csat') as csat,
            max(matched.answer) filter (where matched.field = 'ces') as ces,
            max(matched.answer) filter (where matched.field = 'verbatim') as verbatim,
            max(matched.answer) filter (where matched.field = 'contact_id') as contact_id,
            max(matched.answer) filter (where matched.field = 'customer_id') as customer_id,
            max(matched.answer) filter (where matched.field = 'survey_type') as survey_type,
            max(matched.answer) filter (where matched.field = 'language') as language_code
        from matched
        group by matched.response_id

    )

    select
        {{ responses }}.response_id,
        coalesce(
            lower(pivoted.survey_type),
            case when pivoted.contact_id is not null then 'post_contact' else 'relationship' end
        ) as survey_type,
        pivoted.contact_id,
        coalesce(pivoted.customer_id, nullif(trim({{ responses }}.external_reference), ''))
            as customer_id,
        {{ hash_pii(responses ~ '.recipient_email', 'email') }} as customer_email_hash,
        cast(null as timestamp) as sent_at,
        coalesce({{ responses }}.recorded_at, {{ responses }}.ended_at) as responded_at,
        try_cast(pivoted.nps as integer) as nps_score,
        try_cast(pivoted.csat as integer) as csat_score,
        try_cast(pivoted.ces as integer) as ces_score,
        pivoted.verbatim,
        lower(split_part(coalesce(pivoted.language_code, {{ responses }}.user_language), '-', 1))
            as language_code,
        {{ responses }}._file,
        {{ responses }}._row,
        {{ responses }}._load_id,
        {{ responses }}._loaded_at
    from {{ responses }}
    left join pivoted on {{ responses }}.response_id = pivoted.response_id
{% endmacro %}
