"""Paths: channel sequences within service episodes, and the most frequent paths to resolution
and to churn."""

from __future__ import annotations

import itertools

import plotly.graph_objects as go

from reports.context import ReportContext
from reports.html import Page, Section, chart, table

MAX_STEPS = 4  # longer paths are cut after the fourth contact ("…" marks the rest)

EPISODE_PATHS = """
select channel_path, is_resolved, count(*) as episodes
from marts.fct_service_journeys
where episode_date >= ?
group by all
"""

PATHS_TO_RESOLUTION = """
select
    channel_path as path,
    count(*) as episodes,
    count(*) / sum(count(*)) over () as share,
    avg(contacts) as mean_contacts,
    median(time_to_resolution_hours) as median_hours_to_resolution
from marts.fct_service_journeys
where is_resolved and episode_date >= ?
group by channel_path
order by episodes desc, path
limit 10
"""

# The channels of a churned customer's last touchpoints (consecutive repeats folded) in the
# 30 days before the cancellation.
PATHS_TO_CHURN = """
with cancellations as (
    select customer_key, started_at as cancelled_at
    from marts.fct_touchpoints
    where touchpoint_type = 'cancellation' and touchpoint_date >= ?
),
before as (
    select
        cancellations.customer_key,
        touchpoints.channel,
        touchpoints.started_at,
        lag(touchpoints.channel) over (
            partition by cancellations.customer_key order by touchpoints.started_at,
            touchpoints.touchpoint_number
        ) as previous_channel
    from cancellations
    inner join marts.fct_touchpoints as touchpoints
        on touchpoints.customer_key = cancellations.customer_key
        and touchpoints.started_at < cancellations.cancelled_at
        and touchpoints.started_at >= cancellations.cancelled_at - interval 30 day
        and touchpoints.touchpoint_type not in ('cancellation', 'survey_response')
),
folded as (
    select customer_key, channel, started_at,
        row_number() over (partition by customer_key order by started_at desc) as from_end
    from before
    where previous_channel is distinct from channel
),
paths as (
    select
        cancellations.customer_key,
        coalesce(
            string_agg(folded.channel, ' > ' order by folded.started_at)
                filter (where folded.from_end <= 4),
            '(no touchpoint)'
        ) || ' > cancel' as path
    from cancellations
    left join folded on folded.customer_key = cancellations.customer_key
    group by cancellations.customer_key
)
select path, count(*) as customers, count(*) / sum(count(*)) over () as share
from paths
group by path
order by customers desc, path
limit 10
"""


def sankey_links(
    paths: list[tuple[str, bool, int]],
) -> tuple[list[str], list[tuple[int, int, int]]]:
    """Nodes ("1. bot", "2. voice", ..., "resolved") and links (source, target, episodes)."""
    nodes: dict[str, int] = {}
    links: dict[tuple[int, int], int] = {}

    def node(label: str) -> int:
        return nodes.setdefault(label, len(nodes))

    for path, resolved, episodes in paths:
        steps = path.split(" > ")
        labels = [f"{i + 1}. {c}" for i, c in enumerate(steps[:MAX_STEPS])]
        if len(steps) > MAX_STEPS:
            labels.append(f"{MAX_STEPS + 1}. …")
        labels.append("resolved" if resolved else "not resolved")
        for a, b in itertools.pairwise(labels):
            key = (node(a), node(b))
            links[key] = links.get(key, 0) + episodes
    return list(nodes), [(s, t, v) for (s, t), v in links.items()]


def _sankey(ctx: ReportContext) -> go.Figure:
    paths = ctx.con.execute(EPISODE_PATHS, [ctx.days_back(90)]).fetchall()
    labels, links = sankey_links(paths)
    figure = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={"label": labels, "pad": 14, "thickness": 14},
            link={
                "source": [s for s, _, _ in links],
                "target": [t for _, t, _ in links],
                "value": [v for _, _, v in links],
            },
        )
    )
    figure.update_layout(height=520)
    return figure


def build(ctx: ReportContext) -> Page:
    since = ctx.days_back(90)
    resolution = ctx.frame(PATHS_TO_RESOLUTION, [since])
    churn = ctx.frame(PATHS_TO_CHURN, [since])
    return Page(
        slug="paths",
        title="Paths",
        sections=[
            Section(
                "Channel sequences within service episodes",
                chart(_sankey(ctx), "paths-sankey"),
                note=f"Service episodes started since {since} (marts.fct_service_journeys), "
                "contact by contact; an episode is every contact about one reason within "
                "the repeat window.",
                needs=("contact_center",),
            ),
            Section(
                "Most frequent paths to resolution",
                table(
                    resolution,
                    "paths-to-resolution",
                    {
                        "share": "{:.1%}",
                        "mean_contacts": "{:.2f}",
                        "median_hours_to_resolution": "{:.1f}",
                    },
                ),
                needs=("contact_center",),
            ),
            Section(
                "Most frequent paths to churn",
                table(churn, "paths-to-churn", {"share": "{:.1%}"}),
                note="Channels of the last four touchpoints (repeats folded) in the 30 days "
                "before each cancellation since " + str(since) + ".",
                needs=("crm",),
            ),
        ],
    )
