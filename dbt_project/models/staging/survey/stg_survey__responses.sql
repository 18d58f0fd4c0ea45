with

source as (

    select * from {{ source('survey', 'responses') }}

),

deduplicated as (

    {{ deduplicate('source', 'response_id') }}

),

renamed as (

    select
        response_id,
        lower(survey_type) as survey_type,
        contact_id,
        customer_id,
        {{ hash_pii('customer_email', 'email') }} as customer_email_hash,
        sent_at,
        responded_at,
        nps as nps_score,
        csat as csat_score,
        ces as ces_score,
        verbatim,
        lower(language) as language_code,
        _file,
        _row,
        _load_id,
        _loaded_at
    from deduplicated

)

select * from renamed
