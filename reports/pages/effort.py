"""Contacts and effort: when customers contact us, how many contacts an issue takes, how long
they wait between two, why they come back, where self-service fails, which e-mails went
unanswered, and which customers had too many contacts or too few."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.context import ReportContext
from reports.html import Page, Section, chart, table, with_interval
from reports.rollup import defined_ratio, rollup

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
TOO_FEW = "too few episodes"
OLDEST_EMAILS = 25

VOLUME = """
select iso_day_of_week, hour_of_day, sum(contacts_per_day) as contacts_per_day,
    sum(offered) as offered
from kpi.kpi_contact_volume_hourly
group by iso_day_of_week, hour_of_day
"""  # every channel's mean uses the same weekday_days: all channels together add them up

EPISODE_CONTACTS = """
select contacts_in_episode, cast(sum(episodes) as bigint) as episodes,
    cast(sum(resolved_episodes) as bigint) as resolved
from kpi.kpi_episode_contacts
group by contacts_in_episode
order by contacts_in_episode
"""

EFFORT_BY_REASON = """
select reason, first_channel, cast(sum(episodes) as bigint) as episodes,
    sum(episodes * contacts_in_episode) / sum(episodes) as contacts_per_episode,
    max(contacts_in_episode) as most_contacts
from kpi.kpi_episode_contacts
group by reason, first_channel
order by episodes desc
"""

GAPS = """
select band_order, gap_band, cast(sum(gaps) as bigint) as gaps,
    sum(gap_hours) / sum(gaps) as mean_gap_hours
from kpi.kpi_contact_gaps
group by band_order, gap_band
order by band_order
"""

REPEAT_RATES = """
select distinct reason, first_channel, start_episodes as episodes,
    start_repeated_episodes as repeated, start_repeat_rate, start_repeat_rate_low,
    start_repeat_rate_high, has_support
from kpi.kpi_repeat_contacts
order by episodes desc, reason, first_channel
"""

REPEAT_PATHS = """
select reason, channel_path, cast(sum(repeated_episodes) as bigint) as repeated_episodes,
    cast(sum(contacts) as bigint) as contacts
from kpi.kpi_repeat_contacts
where repeated_episodes > 0
group by reason, channel_path
order by repeated_episodes desc, reason, channel_path
limit 20
"""

EMAIL_STATUS = """
select status, count(*) as emails, median(age_hours) as median_age_hours,
    max(age_hours) as oldest_hours
from kpi.kpi_unanswered_emails
group by status
order by status
"""

OLDEST = """
select contact_id, customer_key, queue_key, reason, received_at, status,
    round(age_hours, 1) as age_hours
from kpi.kpi_unanswered_emails
where first_reply_at is null
order by age_hours desc, contact_id
limit ?
"""


SELF_SERVICE = """
select distinct kind, session_path, path_sessions as sessions,
    path_failed_sessions as failed, path_failure_rate, path_failure_rate_low,
    path_failure_rate_high, has_support
from kpi.kpi_self_service_failures
order by kind, sessions desc, session_path
"""

SELF_SERVICE_REASONS = """
select kind, reason, cast(sum(failed_sessions) as bigint) as failed_sessions,
    cast(sum(sessions) as bigint) as sessions
from kpi.kpi_self_service_failures
where failed_sessions > 0
group by kind, reason
order by failed_sessions desc, kind, reason
"""

OUTLIER_COUNTS = """
select flag, count(*) as customers, median(contacts) as median_contacts
from kpi.kpi_contact_outliers
group by flag
order by flag
"""

OUTLIERS = """
select flag, customer_key, contacts, reason, last_contact_at, days_since_last_contact
from kpi.kpi_contact_outliers
order by flag, contacts desc, days_since_last_contact desc, customer_key
limit ?
"""
FOLLOW_UP_LIST = 40


def _self_service_table(paths: pd.DataFrame) -> pd.DataFrame:
    shown = paths[["kind", "session_path", "sessions", "failed"]].astype(object).copy()
    shown["failure rate (95 %)"] = with_interval(
        paths, "path_failure_rate", "{:.0%}", "too few sessions", "has_support"
    )
    return shown


def _volume(frame: pd.DataFrame) -> go.Figure:
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=["Contacts per day (mean)", "Abandonment rate of offered legs"],
        horizontal_spacing=0.12,
    )
    for col, (column, scale) in enumerate(
        [("contacts_per_day", "Blues"), ("abandonment_rate", "Reds")], start=1
    ):
        grid = frame.pivot(index="iso_day_of_week", columns="hour_of_day", values=column)
        offered = frame.pivot(index="iso_day_of_week", columns="hour_of_day", values="offered")
        figure.add_trace(
            go.Heatmap(
                z=grid.values,
                x=list(grid.columns),
                y=[WEEKDAYS[d - 1] for d in grid.index],
                colorscale=scale,
                colorbar={"x": 0.45 if col == 1 else 1.0, "len": 0.9},
                customdata=offered.values,
                hovertemplate="%{y} %{x}:00: %{z:.2f}"
                + ("" if col == 1 else " of %{customdata} offered")
                + "<extra></extra>",
            ),
            row=1,
            col=col,
        )
        figure.update_xaxes(title_text="hour of day (local)", dtick=2, row=1, col=col)
        figure.update_yaxes(autorange="reversed", row=1, col=col)
    figure.update_layout(height=330)
    return figure


def _effort(contacts: pd.DataFrame, gaps: pd.DataFrame) -> go.Figure:
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=["Contacts an issue took", "Time between two contacts of an issue"],
        horizontal_spacing=0.15,
    )
    figure.add_trace(
        go.Bar(
            x=contacts["contacts_in_episode"],
            y=contacts["episodes"],
            marker_color="#2680c2",
            hovertext=[f"{r:.0f} resolved" for r in contacts["resolved"]],
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(
            x=gaps["gap_band"],
            y=gaps["gaps"],
            marker_color="#f0b429",
            hovertext=[f"mean {h:.1f} h" for h in gaps["mean_gap_hours"]],
        ),
        row=1,
        col=2,
    )
    figure.update_xaxes(title_text="contacts in the episode", dtick=1, row=1, col=1)
    figure.update_yaxes(title_text="episodes", row=1, col=1)
    figure.update_xaxes(title_text="hours between consecutive contacts", row=1, col=2)
    figure.update_yaxes(title_text="gaps", row=1, col=2)
    figure.update_layout(height=330, showlegend=False)
    return figure


def _repeat_table(rates: pd.DataFrame) -> pd.DataFrame:
    shown = rates[["reason", "first_channel", "episodes", "repeated"]].astype(object).copy()
    shown["repeat rate (95 %)"] = with_interval(
        rates, "start_repeat_rate", "{:.0%}", TOO_FEW, "has_support"
    )
    return shown


def _no_data(name: str, what: str) -> str:
    return f'<p class="no-data" id="no-data-{name}">No {what} in the published history.</p>'


def build(ctx: ReportContext) -> Page:
    volume = ctx.frame(VOLUME)
    abandonment = rollup(
        ctx.con,
        defined_ratio(ctx.con, "kpi_contact_volume_hourly", "abandonment_rate"),
        by=["iso_day_of_week", "hour_of_day"],
    ).rename(columns={"value": "abandonment_rate"})
    volume = volume.merge(
        abandonment[["iso_day_of_week", "hour_of_day", "abandonment_rate"]],
        on=["iso_day_of_week", "hour_of_day"],
        how="left",
    )
    contacts = ctx.frame(EPISODE_CONTACTS)
    gaps = ctx.frame(GAPS)
    rates = ctx.frame(REPEAT_RATES)
    return Page(
        slug="effort",
        title="Contacts and effort",
        sections=[
            Section(
                "When customers contact us",
                chart(_volume(volume), "contact-volume")
                if not volume.empty
                else _no_data("contact-volume", "contacts"),
                note="Mean contacts per weekday and local hour (all channels), and the share of "
                "offered queued legs abandoned, with the legs offered on hover "
                "(kpi.kpi_contact_volume_hourly).",
                needs=("contact_center",),
            ),
            Section(
                "How many contacts an issue takes, and the wait between them",
                chart(_effort(contacts, gaps), "contact-effort")
                if not contacts.empty
                else _no_data("contact-effort", "service episodes"),
                note="Known customers' service episodes (a reason's contacts in any channel "
                "within the repeat window; kpi.kpi_episode_contacts, kpi.kpi_contact_gaps).",
                needs=("contact_center",),
            ),
            Section(
                "Contacts per issue, by reason and first channel",
                table(
                    ctx.frame(EFFORT_BY_REASON),
                    "effort-by-reason",
                    {"contacts_per_episode": "{:.2f}"},
                ),
                needs=("contact_center",),
            ),
            Section(
                "Why customers come back: repeat contacts",
                table(_repeat_table(rates), "repeat-rates")
                + table(ctx.frame(REPEAT_PATHS), "repeat-paths"),
                note="Episodes with more than one contact about the same reason, with the 95 % "
                f"Wilson interval (below the minimum support: {TOO_FEW}); then the channel "
                "paths of repeated episodes (kpi.kpi_repeat_contacts).",
                needs=("contact_center",),
            ),
            Section(
                "Where self-service fails",
                table(_self_service_table(ctx.frame(SELF_SERVICE)), "self-service-failures")
                + table(ctx.frame(SELF_SERVICE_REASONS), "self-service-failure-reasons"),
                note="An IVR or bot session fails when an assisted contact about the same "
                "reason follows (the same contact reaching an agent, or a later contact of its "
                "episode); a help-centre visit when an assisted contact follows within the "
                "escalation window. By path with the 95 % Wilson interval, then the reasons "
                "of the failures (kpi.kpi_self_service_failures).",
                needs=("contact_center",),
            ),
            Section(
                "Customers with too many contacts, and too few",
                table(ctx.frame(OUTLIER_COUNTS), "contact-outlier-counts")
                + table(ctx.frame(OUTLIERS, [FOLLOW_UP_LIST]), "contact-outliers"),
                note="Too many: at least too_many_contacts contacts in the last "
                "contact_outlier_days days; too few: an unresolved issue and no contact in the "
                "follow_up_days days after it (dbt vars). Pseudonymous keys, for follow-up "
                f"(the first {FOLLOW_UP_LIST}; all in kpi.kpi_contact_outliers).",
                needs=("contact_center",),
            ),
            Section(
                "Unanswered e-mails",
                table(
                    ctx.frame(EMAIL_STATUS),
                    "unanswered-emails",
                    {"median_age_hours": "{:.1f}", "oldest_hours": "{:.1f}"},
                )
                + table(ctx.frame(OLDEST, [OLDEST_EMAILS]), "oldest-unanswered-emails"),
                note="E-mails not answered within the reply SLA: still without a reply (age to "
                "the data's end) or replied late (age at the reply); then the "
                f"{OLDEST_EMAILS} oldest without a reply, for follow-up "
                "(kpi.kpi_unanswered_emails).",
                needs=("contact_center",),
            ),
        ],
    )
