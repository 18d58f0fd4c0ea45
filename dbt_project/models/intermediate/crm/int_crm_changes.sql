{#-
    The CRM identifiers each load changed, for the incremental models to find what to rebuild:
    every customer version (its id, e-mail and phone hashes) and both ends of every merge.
-#}
{{ config(materialized='view') }}

with

customers as (

    select * from {{ ref('int_crm_customers') }}

),

merge_records as (

    select * from {{ ref('int_crm_merges') }}

)

select
    customers.customer_id,
    customers.email_hash,
    customers.phone_hash,
    customers._loaded_at
from customers
union all
select
    merge_records.merged_customer_id as customer_id,
    null as email_hash,
    null as phone_hash,
    merge_records._loaded_at
from merge_records
union all
select
    merge_records.surviving_customer_id as customer_id,
    null as email_hash,
    null as phone_hash,
    merge_records._loaded_at
from merge_records
