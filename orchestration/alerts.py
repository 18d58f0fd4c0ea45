"""What a night says when it needs someone: a failed or blocked run, or data gone stale.

After every run of the nightly job (typed `cjm run`, or launched by `cjm serve`): a failed
or blocked run sends one line naming the first failure and where to look; a run that left the
data stale (a feed stopped: nothing new for longer than its freshness allows; or the published
data's last day older than `published_max_age_days`) puts the stale banner on every report
page and sends the stale findings. `cjm status --alert` sends the same stale line (a watchdog
that works even when the service is down). Sent by orchestration/notify.py.
"""

from __future__ import annotations

from orchestration import freshness
from orchestration.notify import notify
from orchestration.settings import Settings


def run_failed(settings: Settings, run_id: str, failures: list[str], look: str) -> str:
    """Alert a failed or blocked run; returns the line sent."""
    first = failures[0] if failures else "a step failed"
    more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
    line = f"run {run_id[:8]} FAILED, nothing published: {first}{more}; {look}"
    notify(settings, line)
    return line


def stale_line(findings: list[freshness.Finding]) -> str:
    shown = "; ".join(finding.line() for finding in findings[:3])
    more = f" (and {len(findings) - 3} more)" if len(findings) > 3 else ""
    return f"data STALE: {shown}{more}; see `cjm status`"


def after_success(settings: Settings, run_id: str) -> str | None:
    """After a run that succeeded (published, or found nothing new): alert and mark the pages
    when the data is stale; returns the line sent, None when the data is fresh."""
    from reports.build import add_banner
    from reports.html import freshness_banner

    stale = freshness.stale(freshness.judge(settings))
    if not stale:
        return None
    add_banner(settings.reports_dir, freshness_banner(stale))
    line = f"after run {run_id[:8]}, {stale_line(stale)}"
    notify(settings, line)
    return line
