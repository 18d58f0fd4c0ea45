{#- E-mail KPIs per day received x queue x reason. -#}
with

contacts as (

    select * from {{ ref('fct_contacts') }}

),

emails as (

    select
        {{ local_date('contacts.email_received_at') }} as received_date,
        contacts.queue_key,
        contacts.reason,
        contacts.email_first_response_at is not null as is_answered,
        contacts.is_email_unanswered,
        contacts.email_first_reply_seconds / 3600.0 as first_reply_hours
    from contacts
    where contacts.channel = 'email'

),

final as (

    select
        emails.received_date as date_day,
        emails.queue_key,
        emails.reason,
        cast(count(*) as bigint) as emails_received,
        cast(count(*) filter (where emails.is_answered) as bigint) as emails_answered,
        cast(count(*) filter (where emails.is_email_unanswered) as bigint) as emails_unanswered,
        {{ ratio('count(*) filter (where emails.is_email_unanswered)', 'count(*)') }}
            as unanswered_rate,
        cast(coalesce(sum(emails.first_reply_hours), 0) as double) as first_reply_hours,
        cast(avg(emails.first_reply_hours) as double) as mean_first_reply_hours,
        cast({{ median('emails.first_reply_hours') }} as double) as median_first_reply_hours
    from emails
    group by emails.received_date, emails.queue_key, emails.reason

)

select * from final
