{#- A first build (or full refresh) of a model over a whole history can need far more memory
    than the machine has: sessionizing a year of a million customers' web events spilled 57 GB
    of DuckDB temp files and filled the disk. A sliced model builds its first table in slices of
    one key (every cookie's whole history in one slice, so each slice is exact), one query per
    slice, each bounded by var('build_slice_rows'):

        {{ config(
            pre_hook="{{ start_sliced_build(ref('int_web_events')) }}",
            post_hook="{{ build_remaining_slices() }}",
        ) }}
        ... where {{ in_build_slice('cookie_id') }}

    The slice is a DuckDB session variable, so the model's SQL stays one statement: unset (an
    incremental run, a unit test, the SQL run by hand) the filter is true for every row. -#}

{% macro in_build_slice(column) -%}
    hash({{ column }}) % coalesce(getvariable('cjm_build_slices'), 1)
    = coalesce(getvariable('cjm_build_slice'), 0)
{%- endmacro %}


{% macro start_sliced_build(sized_by) -%}
    {#- Pre-hook: on a first build or full refresh, as many slices as `sized_by`'s rows need
        (one per var('build_slice_rows')), starting with slice 0; on an incremental run none. -#}
    {%- if not is_incremental() %}
    set variable cjm_build_slices = (
        select greatest(1, ceil(count(*) / {{ var('build_slice_rows') }}))::ubigint
        from {{ sized_by }}
    );
    set variable cjm_build_slice = 0::ubigint;
    {%- else %}
    reset variable cjm_build_slices;
    reset variable cjm_build_slice;
    {%- endif %}
{%- endmacro %}


{% macro build_remaining_slices() -%}
    {#- Post-hook: the model's statement built slice 0; insert slices 1 .. n-1 with the same SQL.
        Reads the slice count back from the session (is_incremental() is true by now: the
        table exists). -#}
    {%- if execute -%}
        {%- set slices = run_query("select getvariable('cjm_build_slices')").columns[0].values()[0] -%}
        {%- if slices is not none -%}
            {%- for slice in range(1, slices | int) %}
    set variable cjm_build_slice = {{ slice }}::ubigint;
    insert into {{ this }} by name
    {{ model.compiled_code }};
            {%- endfor %}
    reset variable cjm_build_slices;
    reset variable cjm_build_slice;
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{% macro slice_winners(relation, key, slice_column) -%}
    {#- deduplicate(relation, key), keeping the winners whose slice_column is in the build
        slice. Every copy of a key with a copy in the slice is ranked, so the copy that wins is
        the one that wins over the whole relation (a re-delivered copy may sit in another
        slice). The slice's copies are read from `relation` once (a CTE the deduplication reads
        three times, so the engine keeps it). Unsliced: deduplicate(relation, key). -#}
    select winners.*
    from (
        with slice_copies as (
            select candidate.*
            from {{ relation }} as candidate
            where candidate.{{ key }} in (
                select sliced.{{ key }}
                from {{ relation }} as sliced
                where {{ in_build_slice('sliced.' ~ slice_column) }}
            )
        )

        select deduplicated.*
        from ({{ deduplicate('slice_copies', key) }}) as deduplicated
    ) as winners
    where {{ in_build_slice('winners.' ~ slice_column) }}
{%- endmacro %}


{#- A CTE over a large relation that the query reads more than once, each time through a filter
    (rows loaded since, the slice's cookies, one night's event ids): `name as not_materialized() (`
    keeps it a view of the relation. DuckDB otherwise materializes a CTE referenced more than
    once, copying every row of a year of web events once per statement (17-50 GB of temp files
    at tier M) before any filter applies. -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'cjm')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}
