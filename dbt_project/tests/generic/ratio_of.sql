{#-
    A published rate is its numerator over its denominator, on every row: fails for a row whose
    value differs from scale x numerator / denominator (relative tolerance 1e-9), and for a row
    whose value is not null although the denominator is 0 or null (a rate is then null, never 0).
    The arguments are the declaration reports and BI tools roll the rate up by
    (sum(numerator) / sum(denominator)), published in kpi.kpi_definitions.
-#}
{% test ratio_of(model, column_name, numerator, denominator, scale=1) %}

    select
        {{ column_name }} as value,
        {{ numerator }} as numerator,
        {{ denominator }} as denominator
    from {{ model }}
    where
        case
            when ({{ denominator }}) is null or ({{ denominator }}) = 0 or ({{ numerator }}) is null
                then {{ column_name }} is not null
            else
                {{ column_name }} is null
                or abs(
                    {{ column_name }}
                    - {{ scale }} * cast({{ numerator }} as double) / ({{ denominator }})
                ) > 1e-9 * greatest(1, abs({{ column_name }}))
        end

{% endtest %}
