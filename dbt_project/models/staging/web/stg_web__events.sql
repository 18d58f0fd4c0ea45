{#- Every delivered copy of every web event, renamed into the canonical columns. Not
    deduplicated here: int_web_events_sessionized deduplicates the events of all web sources
    once, on event_id, and reads only the copies it needs through this projection. -#}
with

source as (

    select * from {{ source('web', 'events') }}

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
        cast(null as {{ dbt.type_string() }}) as vendor_session_id,
        _file,
        _row,
        _load_id,
        _loaded_at
    from source

)

select * from renamed
