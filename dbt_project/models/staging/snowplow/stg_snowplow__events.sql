{#- Every delivered copy of every Snowplow event, in the canonical web columns (not
    deduplicated: int_web_events_sessionized deduplicates all web sources once, on event_id). -#}
with

source as (

    select * from {{ source('snowplow', 'events') }}

),

event_names as (

    select * from {{ ref('vendor_web_events') }}
    where vendor = 'snowplow'

),

renamed as (

    select
        source.event_id,
        coalesce(source.derived_tstamp, source.collector_tstamp) as event_at,
        source.domain_userid as cookie_id,
        source.user_id as customer_id,
        coalesce(event_names.event_name, lower(source.event_name)) as event_name,
        source.page_url,
        source.page_urlpath as page_path,
        source.page_referrer as referrer,
        source.mkt_source as utm_source,
        source.mkt_medium as utm_medium,
        source.mkt_campaign as utm_campaign,
        case
            when source.dvce_ismobile then 'mobile'
            when not source.dvce_ismobile then 'desktop'
        end as device_type,
        case when source.se_action = 'search' then source.se_label end as search_term,
        source.tr_orderid as order_id,
        case
            when coalesce(upper(source.tr_currency), 'EUR') = 'EUR' then source.tr_total
        end as order_value_eur,
        source.domain_sessionid as vendor_session_id,
        source._file,
        source._row,
        source._load_id,
        source._loaded_at
    from source
    left join event_names on lower(source.event_name) = event_names.vendor_value

)

select * from renamed
