{#-
    Every contact leg of every contact-centre source, in the canonical columns: the project's own
    landing contract (stg_contact_center__contacts) and each vendor's staging model, as listed in
    var('contact_leg_models'). Any combination of platforms feeds the same chains, episodes, star
    schema and KPIs; a listed source that delivered nothing adds no rows. A vendor added by
    docs/vendors/adding-a-vendor.md is one more name in that list.
-#}
{{ config(materialized='view') }}

{{ union_models(var('contact_leg_models'), [
    'contact_id',
    'initial_contact_id',
    'previous_contact_id',
    'channel',
    'direction',
    'initiation_method',
    'customer_id',
    'customer_email_hash',
    'customer_phone_hash',
    'ivr_path',
    'ivr_outcome',
    'queue_name',
    'agent_id',
    'initiated_at',
    'queued_at',
    'answered_at',
    'ended_at',
    'acw_ended_at',
    'hold_seconds',
    'disconnect_reason',
    'contact_reason',
    'disposition',
    'email_received_at',
    'email_first_response_at',
    '_file',
    '_row',
    '_load_id',
    '_loaded_at',
]) }}
