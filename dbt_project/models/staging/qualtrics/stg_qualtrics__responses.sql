{#-
    Qualtrics survey responses in the columns of stg_survey__responses. The question and
    embedded-data columns of an export are in `_extra` under their column ids; the seed
    qualtrics_fields says which one is the NPS, CSAT, CES, verbatim, contact id, customer id,
    survey type or language. A response names its customer by the customer_id field, else its
    ExternalReference (the CRM id set at distribution), else its recipient e-mail (hashed). A
    response with a contact id is a post-contact survey unless a survey_type field says
    otherwise. Responded: RecordedDate (legacy exports: EndDate). docs/vendors/qualtrics.md.
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

deduplicated as (

    {{ deduplicate('source', 'response_id') }}

),

fields as (

    select * from {{ ref('qualtrics_fields') }}

),

answers as (

    select
        deduplicated.response_id,
        fields.field,
        -- the most specific pattern a file matches wins for a column
        arg_max(
            nullif(trim(deduplicated._extra ->> fields.column_id), ''),
            length(fields.file_pattern)
        ) as answer
    from deduplicated
    inner join fields
        on
            deduplicated._file like '%' || replace(fields.file_pattern, '*', '%')
            and json_exists(deduplicated._extra, '$."' || fields.column_id || '"')
    group by deduplicated.response_id, fields.field

),

pivoted as (

    select
        answers.response_id,
        max(answers.answer) filter (where answers.field = 'nps') as nps,
        max(answers.answer) filter (where answers.field = 'csat') as csat,
        max(answers.answer) filter (where answers.field = 'ces') as ces,
        max(answers.answer) filter (where answers.field = 'verbatim') as verbatim,
        max(answers.answer) filter (where answers.field = 'contact_id') as contact_id,
        max(answers.answer) filter (where answers.field = 'customer_id') as customer_id,
        max(answers.answer) filter (where answers.field = 'survey_type') as survey_type,
        max(answers.answer) filter (where answers.field = 'language') as language_code
    from answers
    group by answers.response_id

),

final as (

    select
        deduplicated.response_id,
        coalesce(
            lower(pivoted.survey_type),
            case when pivoted.contact_id is not null then 'post_contact' else 'relationship' end
        ) as survey_type,
        pivoted.contact_id,
        coalesce(pivoted.customer_id, nullif(trim(deduplicated.external_reference), ''))
            as customer_id,
        {{ hash_pii('deduplicated.recipient_email', 'email') }} as customer_email_hash,
        cast(null as timestamp) as sent_at,
        coalesce(deduplicated.recorded_at, deduplicated.ended_at) as responded_at,
        try_cast(pivoted.nps as integer) as nps_score,
        try_cast(pivoted.csat as integer) as csat_score,
        try_cast(pivoted.ces as integer) as ces_score,
        pivoted.verbatim,
        lower(split_part(coalesce(pivoted.language_code, deduplicated.user_language), '-', 1))
            as language_code,
        deduplicated._file,
        deduplicated._row,
        deduplicated._load_id,
        deduplicated._loaded_at
    from deduplicated
    left join pivoted on deduplicated.response_id = pivoted.response_id

)

select * from final
