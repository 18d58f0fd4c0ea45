{#-
    Type 2 on segment and plan: a new version whenever either changes in the CRM. Other CRM
    attributes (signup/cancel date, country, language) are type 1: every version shows the
    latest. The first version is valid from 1900-01-01 so that touchpoints before signup join.
    Anonymous customers (identifiers never linked to the CRM) get one row each, and '-1' is the
    unknown member.
-#}
with

crm as (

    select * from {{ ref('int_crm_customers') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

contacts as (

    select * from {{ ref('int_contacts_identified') }}

),

surveys as (

    select * from {{ ref('int_survey_responses_identified') }}

),

versions as (

    select
        crm.*,
        lag(crm.segment) over customer_history as previous_segment,
        lag(crm.plan) over customer_history as previous_plan,
        row_number() over customer_history as version_rank
    from crm
    window customer_history as (
        partition by crm.customer_id order by crm.updated_at, crm.customer_version_id
    )

),

changes as (

    select versions.*
    from versions
    where
        versions.version_rank = 1
        or versions.segment is distinct from versions.previous_segment
        or versions.plan is distinct from versions.previous_plan

),

last_versions as (

    select
        versions.customer_id,
        max(versions.version_rank) as last_rank
    from versions
    group by versions.customer_id

),

latest as (

    select
        versions.customer_id,
        versions.signup_date,
        versions.cancel_date,
        versions.country_code,
        versions.language_code
    from versions
    inner join last_versions
        on
            versions.customer_id = last_versions.customer_id
            and versions.version_rank = last_versions.last_rank

),

crm_customers as (

    select
        changes.customer_id || '#' || cast(
            row_number() over customer_versions as {{ dbt.type_string() }}
        ) as customer_sk,
        changes.customer_id as customer_key,
        false as is_anonymous,
        coalesce(changes.segment, 'unknown') as segment,
        coalesce(changes.plan, 'unknown') as plan,
        latest.country_code,
        latest.language_code,
        latest.signup_date,
        latest.cancel_date,
        case
            when row_number() over customer_versions = 1
                then cast('1900-01-01 00:00:00' as timestamp)
            else changes.updated_at
        end as valid_from,
        lead(changes.updated_at) over customer_versions as valid_to,
        cast(row_number() over customer_versions as integer) as customer_version
    from changes
    inner join latest on changes.customer_id = latest.customer_id
    window customer_versions as (
        partition by changes.customer_id order by changes.updated_at
    )

),

anonymous_keys as (

    select identifiers.customer_key from identifiers
    where identifiers.is_anonymous
    union
    select contacts.customer_key from contacts
    where contacts.customer_key like 'anon-%'
    union
    select surveys.customer_key from surveys
    where surveys.customer_key like 'anon-%'

),

anonymous_customers as (

    select
        anonymous_keys.customer_key as customer_sk,
        anonymous_keys.customer_key,
        true as is_anonymous,
        'anonymous' as segment,
        'none' as plan,
        cast(null as varchar) as country_code,
        cast(null as varchar) as language_code,
        cast(null as date) as signup_date,
        cast(null as date) as cancel_date,
        cast('1900-01-01 00:00:00' as timestamp) as valid_from,
        cast(null as timestamp) as valid_to,
        1 as customer_version
    from anonymous_keys

),

unknown_member as (

    select
        '-1' as customer_sk,
        '-1' as customer_key,
        false as is_anonymous,
        'unknown' as segment,
        'unknown' as plan,
        cast(null as varchar) as country_code,
        cast(null as varchar) as language_code,
        cast(null as date) as signup_date,
        cast(null as date) as cancel_date,
        cast('1900-01-01 00:00:00' as timestamp) as valid_from,
        cast(null as timestamp) as valid_to,
        1 as customer_version

),

unioned as (

    select * from crm_customers
    union all
    select * from anonymous_customers
    union all
    select * from unknown_member

),

final as (

    select
        unioned.customer_sk,
        unioned.customer_key,
        unioned.is_anonymous,
        unioned.segment,
        unioned.plan,
        unioned.country_code,
        unioned.language_code,
        unioned.signup_date,
        unioned.cancel_date,
        unioned.valid_from,
        unioned.valid_to,
        unioned.valid_to is null as is_current,
        cast(unioned.customer_version as integer) as customer_version
    from unioned

)

select * from final
