{#-
    Incremental by customer (strategy rebuild_keys): every run rebuilds the stages of the
    customers whose touchpoints fct_touchpoints rebuilt since this model last ran, and drops
    those of customers left with no touchpoint. The current stage's days_in_stage runs to the
    newest touchpoint of all customers, so the post-hook brings it up to date on every row.
-#}
{{ config(
    materialized='incremental',
    unique_key='customer_key',
    incremental_strategy='rebuild_keys',
    row_id='journey_stage_id',
    on_schema_change='fail',
    post_hook="{{ refresh_current_stage_days() }}",
) }}

with

{% if is_incremental() %}
changed_customers as (

    select rebuilt.customer_key
    from ({{ rebuilt_since_last_run(ref('fct_touchpoints')) }}) as rebuilt
    union
    select this_run.customer_key
    from {{ this }} as this_run
    where this_run.customer_key not in (
        select all_touchpoints.customer_key from {{ ref('fct_touchpoints') }} as all_touchpoints
    )

),

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}
    where customer_key in (select changed_customers.customer_key from changed_customers)

),
{% else %}
touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),
{% endif %}

data_end as (

    select max(all_touchpoints.started_at) as last_touchpoint_at
    from {{ ref('fct_touchpoints') }} as all_touchpoints

),

changes as (

    select
        touchpoints.customer_key,
        touchpoints.touchpoint_number,
        touchpoints.stage,
        touchpoints.channel,
        touchpoints.started_at,
        case
            when
                lag(touchpoints.stage) over customer_order is null
                or lag(touchpoints.stage) over customer_order <> touchpoints.stage
                then 1
            else 0
        end as is_stage_entry
    from touchpoints
    where touchpoints.stage <> 'unknown'
    window customer_order as (
        partition by touchpoints.customer_key order by touchpoints.touchpoint_number
    )

),

numbered as (

    select
        changes.*,
        sum(changes.is_stage_entry) over (
            partition by changes.customer_key
            order by changes.touchpoint_number
            rows between unbounded preceding and current row
        ) as stage_entry_number
    from changes

),

entries as (

    select
        numbered.customer_key,
        numbered.stage_entry_number,
        min(numbered.stage) as stage,
        min(numbered.started_at) as entered_at,
        count(*) as touchpoints,
        count(distinct numbered.channel) as channels,
        {{ dbt.listagg('distinct numbered.channel', "', '", 'order by numbered.channel') }}
            as channel_list
    from numbered
    group by numbered.customer_key, numbered.stage_entry_number

),

final as (

    select
        entries.customer_key || ':' || cast(entries.stage_entry_number as {{ dbt.type_string() }})
            as journey_stage_id,
        entries.customer_key,
        entries.stage,
        cast(entries.stage_entry_number as integer) as stage_entry_number,
        {{ local_date('entries.entered_at') }} as entered_date,
        entries.entered_at,
        lead(entries.entered_at) over customer_entries as exited_at,
        coalesce(lead(entries.stage) over customer_entries, 'none') as next_stage,
        cast(
            {{ local_days_between(
                'entries.entered_at',
                'coalesce(lead(entries.entered_at) over customer_entries, data_end.last_touchpoint_at)'
            ) }} as integer
        ) as days_in_stage,
        cast(entries.touchpoints as integer) as touchpoints,
        cast(entries.channels as integer) as channels,
        entries.channel_list,
        lead(entries.entered_at) over customer_entries is null as is_current,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as _batch_at
    from entries
    cross join data_end
    window customer_entries as (
        partition by entries.customer_key order by entries.stage_entry_number
    )

)

{% if is_incremental() %}
-- a changed customer with no stage left keeps one marker row (null journey_stage_id): the
-- rebuild_keys strategy deletes its old rows and does not insert the marker
{{ rebuild_keys_rows('final', 'changed_customers', 'customer_key') }}
{% else %}
select * from final
{% endif %}
