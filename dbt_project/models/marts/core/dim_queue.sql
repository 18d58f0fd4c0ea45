with

contacts as (

    select * from {{ ref('int_contacts_identified') }}

),

queues as (

    select
        contacts.queue_name as queue_key,
        min(contacts.channel) as channel,
        count(distinct contacts.channel) as channels
    from contacts
    where contacts.queue_name is not null
    group by contacts.queue_name

),

final as (

    select
        queues.queue_key,
        case when queues.channels = 1 then queues.channel else 'mixed' end as channel,
        false as is_unknown
    from queues
    union all
    select
        '-1' as queue_key,
        'unknown' as channel,
        true as is_unknown

)

select * from final
