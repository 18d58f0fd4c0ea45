with

source as (

    select * from {{ source('crm', 'customers') }}

),

deduplicated as (

    {{ deduplicate('source', 'customer_id, updated_at') }}

),

renamed as (

    select
        customer_id || '@' || cast(updated_at as {{ dbt.type_string() }}) as customer_version_id,
        customer_id,
        {{ hash_pii('email', 'email') }} as email_hash,
        {{ hash_pii('phone', 'phone') }} as phone_hash,
        lower(segment) as segment,
        lower(plan) as plan,
        signup_date,
        cancel_date,
        upper(country) as country_code,
        lower(language) as language_code,
        updated_at,
        _file,
        _row,
        _load_id,
        _loaded_at
    from deduplicated

)

select * from renamed
