{#-
    One row per landing source the project declares (every dbt source but the loader's own
    ledger), the kind of data it feeds (`meta: feeds:` of the source: a vendor export such as
    genesys_cloud feeds contact_center; by default a source feeds its own name), whether it has
    delivered data, and how much. A deployment may run with any subset of sources (only a
    telephony export at first): KPIs and pages whose inputs come from a kind no source delivered
    say "no data" instead of 0.
-#}
{%- set feeds = {} -%}
{%- for node in graph.sources.values() -%}
{%- if node.source_name != 'loader' -%}
{%- do feeds.update({node.source_name: node.source_meta.get('feeds', node.source_name)}) -%}
{%- endif -%}
{%- endfor -%}

with

files as (

    select * from {{ ref('stg_loader__files') }}

),

declared as (

    {% for name in feeds | sort -%}
    select
        '{{ name }}' as source,  -- noqa: RF04
        '{{ feeds[name] }}' as feeds
    {% if not loop.last -%}
    union all
    {% endif -%}
    {%- endfor %}

),

delivered as (

    select
        files.source,
        count(*) as files,
        sum(files.rows_loaded) as rows_loaded,
        min(files.landing_date) as first_landing_date,
        max(files.landing_date) as last_landing_date
    from files
    -- a delivery a later one replaced (a correction, the daily table after the intraday one)
    -- is no file of the source's data any more
    where files.status <> 'rejected' and not files.is_superseded
    group by files.source

),

final as (

    select
        declared.source,
        declared.feeds,
        coalesce(delivered.rows_loaded, 0) > 0 as has_data,
        cast(coalesce(delivered.files, 0) as bigint) as files,
        cast(coalesce(delivered.rows_loaded, 0) as bigint) as rows_loaded,
        delivered.first_landing_date,
        delivered.last_landing_date
    from declared
    left join delivered on declared.source = delivered.source

)

select * from final
