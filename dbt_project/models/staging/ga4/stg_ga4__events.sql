{#- Every delivered copy of every GA4 event, in the canonical web columns (not deduplicated:
    int_web_events_sessionized deduplicates all web sources once, on event_id). GA4 exports no
    event id: it is a hash of the fields that tell a user's events apart, so the same event in
    the intraday and the daily table is one event. -#}
with

source as (

    select * from {{ source('ga4', 'events') }}

),

event_names as (

    select * from {{ ref('vendor_web_events') }}
    where vendor = 'ga4'

),

with_keys as (

    select
        source.*,
        json_extract_string(source.record, '$.event_params[*].key') as param_keys
    from source

),

params as (

    select
        with_keys.*,
        {{ ga4_event_param('with_keys.record', 'with_keys.param_keys', 'page_location') }}
            as page_location,
        {{ ga4_event_param('with_keys.record', 'with_keys.param_keys', 'page_referrer') }}
            as page_referrer,
        {{ ga4_event_param('with_keys.record', 'with_keys.param_keys', 'ga_session_id') }}
            as ga_session_id,
        {{ ga4_event_param('with_keys.record', 'with_keys.param_keys', 'search_term') }}
            as search_term,
        {{ ga4_event_param('with_keys.record', 'with_keys.param_keys', 'currency') }}
            as currency,
        {{ ga4_event_param('with_keys.record', 'with_keys.param_keys', 'source') }}
            as param_source,
        {{ ga4_event_param('with_keys.record', 'with_keys.param_keys', 'medium') }}
            as param_medium,
        {{ ga4_event_param('with_keys.record', 'with_keys.param_keys', 'campaign') }}
            as param_campaign,
        coalesce(
            json_extract_string(with_keys.record, '$.collected_traffic_source.gclid'),
            {{ ga4_event_param('with_keys.record', 'with_keys.param_keys', 'gclid') }}
        ) as gclid
    from with_keys

),

renamed as (

    select
        'ga4-' || {{ dbt.hash(dbt.concat([
            'params.user_pseudo_id',
            "'|'",
            "coalesce(cast(params.event_timestamp as " ~ dbt.type_string() ~ "), '')",
            "'|'",
            'params.event_name',
            "'|'",
            "coalesce(cast(params.event_bundle_sequence_id as " ~ dbt.type_string() ~ "), '')",
            "'|'",
            "coalesce(cast(params.batch_event_index as " ~ dbt.type_string() ~ "), '')",
        ])) }} as event_id,
        params.event_timestamp as event_at,
        params.user_pseudo_id as cookie_id,
        params.user_id as customer_id,
        coalesce(event_names.event_name, lower(params.event_name)) as event_name,
        params.page_location as page_url,
        case when params.page_location is not null then {{ url_path('params.page_location') }} end
            as page_path,
        params.page_referrer as referrer,
        -- a Google Ads click (gclid) without a manual source is google / cpc, as GA4 reports it
        coalesce(
            json_extract_string(params.record, '$.collected_traffic_source.manual_source'),
            params.param_source,
            case when params.gclid is not null then 'google' end
        ) as utm_source,
        coalesce(
            json_extract_string(params.record, '$.collected_traffic_source.manual_medium'),
            params.param_medium,
            case when params.gclid is not null then 'cpc' end
        ) as utm_medium,
        coalesce(
            json_extract_string(params.record, '$.collected_traffic_source.manual_campaign_name'),
            params.param_campaign
        ) as utm_campaign,
        lower(json_extract_string(params.record, '$.device.category')) as device_type,
        params.search_term,
        json_extract_string(params.record, '$.ecommerce.transaction_id') as order_id,
        case
            when coalesce(upper(params.currency), 'EUR') = 'EUR'
                then {{ dbt.safe_cast(
                    "json_extract_string(params.record, '$.ecommerce.purchase_revenue')",
                    'decimal(12, 2)',
                ) }}
        end as order_value_eur,
        params.ga_session_id as vendor_session_id,
        params._file,
        params._row,
        params._load_id,
        params._loaded_at
    from params
    left join event_names on lower(params.event_name) = event_names.vendor_value

)

select * from renamed
