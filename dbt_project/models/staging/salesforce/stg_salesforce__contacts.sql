{#- Salesforce contacts as canonical CRM customer versions (the columns of
    stg_crm__customers). A version is a history-mode row (from _fivetran_start) or a contact as
    last modified; a contact whose latest version is deleted (or merged: see
    stg_salesforce__contact_merges) is no customer. The seed crm_fields reads the contact's
    fields and, as `account.<field>`, its account's (the account as last delivered). -#}
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

accounts as (

    select * from {{ source('salesforce_accounts', 'account') }}

),

latest_accounts as (

    select ranked.*
    from (
        select
            accounts.*,
            row_number() over (
                partition by accounts.id
                order by
                    coalesce(
                        accounts.fivetran_start, accounts.last_modified_date, accounts.fivetran_synced
                    ) desc,
                    accounts._loaded_at desc,
                    accounts._row desc
            ) as recency
        from accounts
    ) as ranked
    where ranked.recency = 1

),

-- the contact's fields, its account's under `account`, for the seed crm_fields
contact_fields as (

    select
        deduplicated._load_id,
        deduplicated._row,
        deduplicated.id,
        deduplicated.account_id,
        deduplicated.created_date,
        deduplicated.last_modified_date,
        deduplicated.updated_at,
        json_merge_patch(
            coalesce(deduplicated._extra, '{}'),
            json_object(
                'account',
                json_merge_patch(
                    coalesce(latest_accounts._extra, '{}'),
                    json_object(
                        'type', latest_accounts.type,
                        'industry', latest_accounts.industry,
                        'billing_country_code', latest_accounts.billing_country_code
                    )
                )
            )
        ) as _extra
    from deduplicated
    left join latest_accounts on deduplicated.account_id = latest_accounts.id

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

    {{ crm_field_values('contact_fields', 'salesforce') }}

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
