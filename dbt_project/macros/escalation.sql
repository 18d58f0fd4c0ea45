{#-
    The one rule of digital-to-assisted escalation, as a join condition: an assisted contact
    (`chain`, from int_contact_chains_windowed) of the customer of a help-centre web visit
    (`visit`, from fct_web_sessions) started after the visit and within
    var('escalation_window_hours') (72) of its start. kpi_channel_escalation_daily counts the
    visits it matches; fct_service_journeys flags the episodes holding a matched contact.
-#}
{% macro is_digital_escalation(visit, chain) -%}
    {{ visit }}.customer_key = {{ chain }}.customer_key
    and {{ visit }}.has_help_centre
    and {{ chain }}.is_assisted
    and {{ visit }}.started_at < {{ chain }}.started_at
    and {{ dbt.dateadd('hour', var('escalation_window_hours'), visit ~ '.started_at') }}
    >= {{ chain }}.started_at
{%- endmacro %}

{#-
    The one rule of a self-service session, as a filter on a contact leg (`contact`, from
    fct_contacts or int_contacts_identified): a bot leg, or the IVR part of an inbound call,
    whose path the seed self_service_paths calls a self-service attempt (its first matching row
    by priority; a path no row matches is one). A caller who only chose an agent from the menu
    was routed, not self-served. kpi_self_service_daily measures their containment,
    kpi_self_service_failures what follows them, episodes say whether they held one.
-#}
{% macro is_self_service_session(contact) -%}
    (
        (
            {{ contact }}.channel = 'bot'
            or (
                {{ contact }}.channel = 'voice'
                and {{ contact }}.ivr_path is not null
                and {{ contact }}.initiation_method = 'inbound'
            )
        )
        and coalesce((
            select paths.is_self_service
            from {{ ref('self_service_paths') }} as paths
            where
                paths.kind = {{ self_service_kind(contact) }}
                and coalesce({{ contact }}.ivr_path, '') like paths.path_pattern
            order by paths.priority
            limit 1
        ), true)
    )
{%- endmacro %}

{#- The kind of a self-service session: bot or ivr. -#}
{% macro self_service_kind(contact) -%}
    case when {{ contact }}.channel = 'bot' then 'bot' else 'ivr' end
{%- endmacro %}
