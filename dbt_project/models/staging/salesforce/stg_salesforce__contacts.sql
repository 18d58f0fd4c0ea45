{#- Salesforce contacts as canonical CRM customer versions (the columns of
    stg_crm__customers). A version is a history-mode row (from _fivetran_start) or a contact as
    last modified; a contact whose latest version is deleted (or merged: see
    stg_salesforce__contact_merges) is no customer. -#}
with

source as (

    select * from {{ source('salesforce', 'contact') }}

),

versions as (

    select
        source.*,
        coalesce(source.fivetran_start, source.last_modified_date, source.fivetran_synced)
            as updated_at
    from source

),

deduplicated as (

    {{ deduplicate('versions', 'id, updated_at') }}

),

deleted as (

    select ranked.id
    from (
        select
            deduplicated.id,
            deduplicated.is_deleted,
            row_number() over (
                partition by deduplicated.id order by deduplicated.updated_at desc
            ) as recency
        from deduplicated
    ) as ranked
    where ranked.recency = 1 and ranked.is_deleted

),

fields as (

    {{ crm_field_values('deduplicated', 'salesforce') }}

),

renamed as (

    select
        deduplicated.id || '@' || cast(deduplicated.updated_at as {{ dbt.type_string() }})
            as customer_version_id,
        deduplicated.id as customer_id,
        {{ hash_pii('deduplicated.email', 'email') }} as email_hash,
        {{ hash_pii('coalesce(deduplicated.phone, deduplicated.mobile_phone)', 'phone') }}
            as phone_hash,
        lower(fields.segment) as segment,
        lower(fields.plan) as plan,
        fields.signup_date,
        fields.cancel_date,
        upper(fields.country) as country_code,
        lower(fields.language) as language_code,
        deduplicated.updated_at,
        deduplicated._file,
        deduplicated._row,
        deduplicated._load_id,
        deduplicated._loaded_at
    from deduplicated
    left join fields
        on deduplicated._load_id = fields._load_id and deduplicated._row = fields._row
    where deduplicated.id not in (select deleted.id from deleted)

)

select * from renamed
