{% macro incremental_watermark() %}
    {#- The load time after which rows are new to an incremental model: the start of its last
        run (the newest _batch_at it holds), less var('incremental_lookback_hours'). A run's
        loads all finish before its dbt build starts, so every row loaded since is newer.
        Use inside is_incremental(). -#}
    select
        {{ dbt.dateadd('hour', -var('incremental_lookback_hours'), 'max(_batch_at)') }}
            as loaded_after
    from {{ this }}
{% endmacro %}
