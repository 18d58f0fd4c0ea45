{#-
    Deterministic identity resolution. One row per identifier (type, value) seen in any source,
    with the customer it belongs to. Rules, in order:
      1. a CRM customer id that exists in the CRM is that customer (the CRM id wins); an id
         the CRM merged into a customer is that customer (int_crm_merges: crm_merge);
      2. an e-mail or phone hash held by exactly one CRM customer is that customer;
      3. a cookie is that customer when every login on it was the same CRM customer; a cookie
         with logins of several customers is a shared device and stays anonymous (its logged-in
         events are still attributed to their own user, see int_web_events_sessionized);
      4. anything else keeps an anonymous key of its own.
-#}
with

crm as (

    select * from {{ ref('int_crm_customers') }}

),

merge_records as (

    select * from {{ ref('int_crm_merges') }}

),

contacts as (

    select * from {{ ref('int_contact_legs') }}

),

-- The CRM ids logged in on each cookie (over the winning copy of every web event)
logins as (

    select * from {{ ref('int_web_cookie_logins') }}

),

surveys as (

    select * from {{ ref('int_survey_responses') }}

),

crm_customers as (

    select distinct crm.customer_id from crm

),

-- CRM ids and the customer each is: a customer's own id, and every id merged into it
crm_ids as (

    select
        crm_customers.customer_id as identifier_value,
        crm_customers.customer_id,
        'crm_id' as resolution_rule
    from crm_customers
    union all
    select
        merge_records.merged_customer_id as identifier_value,
        merge_records.surviving_customer_id as customer_id,
        'crm_merge' as resolution_rule
    from merge_records
    inner join crm_customers on merge_records.surviving_customer_id = crm_customers.customer_id

),

crm_emails as (

    select
        crm.email_hash as identifier_value,
        min(crm.customer_id) as customer_id
    from crm
    where crm.email_hash is not null
    group by crm.email_hash
    having count(distinct crm.customer_id) = 1

),

crm_phones as (

    select
        crm.phone_hash as identifier_value,
        min(crm.customer_id) as customer_id
    from crm
    where crm.phone_hash is not null
    group by crm.phone_hash
    having count(distinct crm.customer_id) = 1

),

cookie_logins as (

    select
        logins.cookie_id,
        count(distinct crm_ids.customer_id) as logged_in_customers,
        min(crm_ids.customer_id) as customer_id
    from logins
    inner join crm_ids on logins.customer_id = crm_ids.identifier_value
    group by logins.cookie_id

),

seen as (

    select distinct
        'cookie' as identifier_type,
        logins.cookie_id as identifier_value
    from logins
    union
    select
        'customer_id' as identifier_type,
        logins.customer_id as identifier_value
    from logins
    where logins.customer_id is not null
    union
    select
        'customer_id' as identifier_type,
        contacts.customer_id as identifier_value
    from contacts
    where contacts.customer_id is not null
    union
    select
        'customer_id' as identifier_type,
        surveys.customer_id as identifier_value
    from surveys
    where surveys.customer_id is not null
    union
    select
        'customer_id' as identifier_type,
        crm_customers.customer_id as identifier_value
    from crm_customers
    union
    select
        'email_hash' as identifier_type,
        contacts.customer_email_hash as identifier_value
    from contacts
    where contacts.customer_email_hash is not null
    union
    select
        'email_hash' as identifier_type,
        surveys.customer_email_hash as identifier_value
    from surveys
    where surveys.customer_email_hash is not null
    union
    select
        'email_hash' as identifier_type,
        crm.email_hash as identifier_value
    from crm
    where crm.email_hash is not null
    union
    select
        'phone_hash' as identifier_type,
        contacts.customer_phone_hash as identifier_value
    from contacts
    where contacts.customer_phone_hash is not null
    union
    select
        'phone_hash' as identifier_type,
        crm.phone_hash as identifier_value
    from crm
    where crm.phone_hash is not null

),

linked as (

    select
        seen.identifier_type,
        seen.identifier_value,
        case seen.identifier_type
            when 'customer_id' then crm_ids.customer_id
            when 'email_hash' then crm_emails.customer_id
            when 'phone_hash' then crm_phones.customer_id
            when 'cookie' then
                case when cookie_logins.logged_in_customers = 1 then cookie_logins.customer_id end
        end as customer_id,
        case
            when seen.identifier_type = 'customer_id' and crm_ids.customer_id is not null
                then crm_ids.resolution_rule
            when seen.identifier_type = 'email_hash' and crm_emails.customer_id is not null
                then 'crm_email'
            when seen.identifier_type = 'phone_hash' and crm_phones.customer_id is not null
                then 'crm_phone'
            when seen.identifier_type = 'cookie' and cookie_logins.logged_in_customers = 1
                then 'login'
            when seen.identifier_type = 'cookie' and cookie_logins.logged_in_customers > 1
                then 'shared_device'
            else 'anonymous'
        end as resolution_rule
    from seen
    left join crm_ids
        on seen.identifier_type = 'customer_id' and seen.identifier_value = crm_ids.identifier_value
    left join crm_emails
        on seen.identifier_type = 'email_hash' and seen.identifier_value = crm_emails.identifier_value
    left join crm_phones
        on seen.identifier_type = 'phone_hash' and seen.identifier_value = crm_phones.identifier_value
    left join cookie_logins
        on seen.identifier_type = 'cookie' and seen.identifier_value = cookie_logins.cookie_id

),

final as (

    select
        identifier_type,
        identifier_value,
        coalesce(
            customer_id, {{ anonymous_key('identifier_type', 'identifier_value') }}
        ) as customer_key,
        customer_id is null as is_anonymous,
        resolution_rule
    from linked

)

select * from final
