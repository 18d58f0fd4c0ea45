with

source as (

    select * from {{ source('loader', 'load_ledger') }}

),

renamed as (

    select
        load_id,
        source,
        file,
        day as landing_date,
        rows_read,
        rows_loaded,
        rows_rejected,
        status,
        superseded_by is not null as is_superseded
    from source

)

select * from renamed
