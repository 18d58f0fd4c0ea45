{#-
    One row per landing source the project declares (every dbt source but the loader's own
    ledger), whether it has delivered data, and how much. A deployment may run with any subset
    of sources (only a telephony export at first): KPIs and pages whose inputs come from an
    absent source say "no data" instead of 0.
-#}
{%- set names = [] -%}
{%- for node in graph.sources.values() -%}
{%- if node.source_name != 'loader' and node.source_name not in names -%}
{%- do names.append(node.source_name) -%}
{%- endif -%}
{%- endfor -%}

with

files as (

    select * from {{ ref('stg_loader__files') }}

),

declared as (

    {% for name in names | sort -%}
    select '{{ name }}' as source  -- noqa: RF04
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
    where files.status <> 'rejected'
    group by files.source

),

final as (

    select
        declared.source,
        coalesce(delivered.rows_loaded, 0) > 0 as has_data,
        cast(coalesce(delivered.files, 0) as bigint) as files,
        cast(coalesce(delivered.rows_loaded, 0) as bigint) as rows_loaded,
        delivered.first_landing_date,
        delivered.last_landing_date
    from declared
    left join delivered on declared.source = delivered.source

)

select * from final
