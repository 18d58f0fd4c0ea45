with

source as (

    select * from {{ source('web', 'events') }}

),

deduplicated as (

    {{ deduplicate('source', 'event_id') }}

),

renamed as (

    select
        event_id,
        event_at,
        cookie_id,
        user_id as customer_id,
        lower(event_name) as event_name,
        page_url,
        page_path,
        referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        lower(device_type) as device_type,
        search_term,
        order_id,
        order_value as order_value_eur,
        _file,
        _row,
        _load_id,
        _loaded_at
    from deduplicated

)

select * from renamed
