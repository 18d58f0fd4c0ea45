with

source as (

    select * from {{ source('contact_center', 'contacts') }}

),

deduplicated as (

    {{ deduplicate('source', 'contact_id') }}

),

renamed as (

    select
        contact_id,
        initial_contact_id,
        previous_contact_id,
        lower(channel) as channel,
        lower(direction) as direction,
        lower(initiation_method) as initiation_method,
        customer_id,
        {{ hash_pii('customer_email', 'email') }} as customer_email_hash,
        {{ hash_pii('customer_phone', 'phone') }} as customer_phone_hash,
        ivr_path,
        lower(ivr_outcome) as ivr_outcome,
        queue as queue_name,
        agent_id,
        initiated_at,
        queued_at,
        answered_at,
        ended_at,
        acw_ended_at,
        hold_seconds,
        lower(disconnect_reason) as disconnect_reason,
        lower(trim(contact_reason)) as contact_reason,
        lower(disposition) as disposition,
        received_at as email_received_at,
        first_response_at as email_first_response_at,
        _file,
        _row,
        _load_id,
        _loaded_at
    from deduplicated

)

select * from renamed
