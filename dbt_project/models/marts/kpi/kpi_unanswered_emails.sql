{#-
    Every e-mail not answered within var email_reply_sla_hours: one row per e-mail still
    without a reply (overdue, or still within the SLA at the data's end) or replied late, with
    its age: for one without a reply, the hours from receipt to the data's end (the newest
    contact in the published history, not the clock); for a late one, the hours to its reply.
    For follow-up lists: the customer key is pseudonymous (a CRM id or an anonymous key).
-#}
with

contacts as (

    select * from {{ ref('fct_contacts') }}

),

data_end as (

    select max(coalesce(contacts.email_received_at, contacts.initiated_at)) as data_end_at
    from contacts

),

emails as (

    select
        contacts.*,
        data_end.data_end_at,
        {{ seconds_between(
            'contacts.email_received_at',
            'coalesce(contacts.email_first_response_at, data_end.data_end_at)'
        ) }} / 3600.0 as age_hours
    from contacts
    cross join data_end
    where contacts.channel = 'email' and contacts.email_received_at is not null

),

final as (

    select
        emails.contact_id,
        emails.customer_key,
        emails.customer_sk,
        emails.queue_key,
        emails.reason,
        emails.email_received_at as received_at,
        emails.email_first_response_at as first_reply_at,
        case
            when emails.email_first_response_at is not null then 'replied late'
            when emails.age_hours > {{ var('email_reply_sla_hours') }} then 'no reply, overdue'
            else 'no reply, within SLA'
        end as status,
        cast(emails.age_hours as double) as age_hours,
        emails.data_end_at
    from emails
    where
        emails.email_first_response_at is null
        or emails.age_hours > {{ var('email_reply_sla_hours') }}

)

select * from final
