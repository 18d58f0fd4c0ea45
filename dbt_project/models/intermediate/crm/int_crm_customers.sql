{#-
    Every CRM customer version of every CRM source, in the columns of stg_crm__customers: the
    project's own landing contract and each CRM's staging model, as listed in
    var('crm_customer_models'). A contact merged into another (int_crm_merges) is no customer
    of its own: its identifiers resolve to the contact it was merged into.
-#}
{{ config(materialized='view') }}

with

versions as (

    {{ union_models(var('crm_customer_models'), crm_customer_columns()) }}

),

merge_records as (

    select * from {{ ref('int_crm_merges') }}

)

select versions.*
from versions
where versions.customer_id not in (select merge_records.merged_customer_id from merge_records)
