{#- The rows of every model named in `models`, with exactly `columns`: how each kind of source
    (contact legs, survey responses) becomes one canonical relation, whichever vendors feed it. -#}
{% macro union_models(models, columns) -%}
{% for model in models -%}
select
    {{ columns | join(',\n    ') }}
from {{ ref(model) }}
{% if not loop.last %}union all
{% endif -%}
{%- endfor %}
{%- endmacro %}
