{#-
    The one as-of rule of the type 2 customer dimension, as a join condition: the version of
    `customer_key` valid at `at` (valid_from <= at < valid_to). Each fact applies it once and
    carries the version as customer_sk ('-1' when none matches); KPI models join dim_customer
    on customer_sk.
-#}
{% macro is_customer_version(customers, customer_key, at) -%}
    {{ customer_key }} = {{ customers }}.customer_key
    and {{ at }} >= {{ customers }}.valid_from
    and ({{ customers }}.valid_to is null or {{ at }} < {{ customers }}.valid_to)
{%- endmacro %}
