{#-
    "What changed since this incremental model last ran", written once. Two kinds of change:
    rows an upstream incremental model (re)built in a later run (its _batch_at is newer than the
    newest this model holds), and rows loaded into the warehouse since (their _loaded_at is after
    the watermark). Use inside is_incremental(); fct_contacts' unit tests show both sides.
-#}

{% macro incremental_watermark() %}
    {#- The load time after which rows are new to an incremental model: the start of its last
        run (the newest _batch_at it holds), less var('incremental_lookback_hours'). A run's
        loads all finish before its dbt build starts, so every row loaded since is newer. -#}
    select
        {{ dbt.dateadd('hour', -var('incremental_lookback_hours'), 'max(_batch_at)') }}
            as loaded_after
    from {{ this }}
{% endmacro %}

{% macro rebuilt_since_last_run(relation) -%}
    {#- Every row of `relation` (an upstream incremental model, or a CTE of its rows) written
        by a dbt run after this model's last run. -#}
    select rebuilt.*
    from {{ relation }} as rebuilt
    where rebuilt._batch_at > (select max(this_run._batch_at) from {{ this }} as this_run)
{%- endmacro %}

{% macro loaded_since_last_run(relation) -%}
    {#- Every row of `relation` (raw or staged rows with _loaded_at) loaded after the watermark. -#}
    select loaded.*
    from {{ relation }} as loaded
    where loaded._loaded_at > ({{ incremental_watermark() }})
{%- endmacro %}
