{#-
    Contact volume by local weekday x hour x channel over the published history: contacts
    started (a contact's first leg: transfers and callbacks belong to it) and, for queued
    legs, the legs offered and abandoned with the abandonment rate (kpi_contact_centre_daily's
    rule: is_offered, is_abandoned). weekday_days: how many of that weekday the contacts'
    period holds, so contacts / weekday_days is the mean per such day. Hours are the centre's
    (var timezone).
-#}
with

contacts as (

    select * from {{ ref('fct_contacts') }}

),

period_days as (

    {{ days_between(
        '(select min(contacts.contact_date) from contacts)',
        '(select max(contacts.contact_date) from contacts)'
    ) }}

),

weekdays as (

    select
        cast(extract(isodow from period_days.date_day) as integer) as iso_day_of_week,
        count(*) as weekday_days
    from period_days
    group by extract(isodow from period_days.date_day)

),

contact_hours as (

    select
        cast(extract(isodow from contacts.contact_date) as integer) as iso_day_of_week,
        cast(extract(hour from {{ local_timestamp('contacts.initiated_at') }}) as integer)
            as hour_of_day,
        contacts.channel,
        contacts.previous_contact_id is null as is_contact_start,
        contacts.is_offered,
        contacts.is_offered and contacts.is_abandoned as is_abandoned
    from contacts

),

counted as (

    select
        contact_hours.iso_day_of_week,
        contact_hours.hour_of_day,
        contact_hours.channel,
        count(*) filter (where contact_hours.is_contact_start) as contacts,
        count(*) filter (where contact_hours.is_offered) as offered,
        count(*) filter (where contact_hours.is_abandoned) as abandoned
    from contact_hours
    group by contact_hours.iso_day_of_week, contact_hours.hour_of_day, contact_hours.channel

),

final as (

    select
        counted.iso_day_of_week,
        counted.hour_of_day,
        counted.channel,
        cast(weekdays.weekday_days as bigint) as weekday_days,
        cast(counted.contacts as bigint) as contacts,
        {{ ratio('counted.contacts', 'weekdays.weekday_days') }} as contacts_per_day,
        cast(counted.offered as bigint) as offered,
        cast(counted.abandoned as bigint) as abandoned,
        {{ ratio('counted.abandoned', 'counted.offered') }} as abandonment_rate
    from counted
    inner join weekdays on counted.iso_day_of_week = weekdays.iso_day_of_week

)

select * from final
