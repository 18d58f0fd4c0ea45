{#- E-mail KPIs per day received x queue x reason. Unanswered: no reply at all (by the end of
    the data); replied late: a reply after var email_reply_sla_hours. Two different failures,
    never added into one "unanswered" figure. -#}
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
        contacts.email_first_response_at is null as is_unanswered,
        contacts.email_first_reply_seconds > {{ var('email_reply_sla_hours') }} * 3600
            as is_replied_late,
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
        cast(count(*) filter (where emails.is_unanswered) as bigint) as emails_unanswered,
        {{ ratio('count(*) filter (where emails.is_unanswered)', 'count(*)') }}
            as unanswered_rate,
        cast(count(*) filter (where emails.is_replied_late) as bigint) as emails_replied_late,
        {{ ratio('count(*) filter (where emails.is_replied_late)', 'count(*)') }}
            as late_reply_rate,
        cast(coalesce(sum(emails.first_reply_hours), 0) as double) as first_reply_hours,
        cast(avg(emails.first_reply_hours) as double) as mean_first_reply_hours,
        cast({{ median('emails.first_reply_hours') }} as double) as median_first_reply_hours
    from emails
    group by emails.received_date, emails.queue_key, emails.reason

)

select * from final
