{% macro incremental_watermark() %}
    {#- The load time after which an incremental model's rows are new: the newest _loaded_at it
        has processed, less var('incremental_lookback_hours'). Use inside is_incremental(). -#}
    select
        {{ dbt.dateadd('hour', -var('incremental_lookback_hours'), 'max(_loaded_at)') }}
            as loaded_after
    from {{ this }}
{% endmacro %}
