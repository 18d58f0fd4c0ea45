"""Alerts: one line naming what failed and where to look, sent to the configured notifier.

`CJM_NOTIFY_COMMAND`: a command run with the line as its last argument (and in `CJM_ALERT`),
e.g. `mail -s cjm ops@example.com` or a script of your own; `CJM_NOTIFY_WEBHOOK`: a URL that
receives `{"text": line}` by POST, the shape Slack's and Teams' incoming webhooks take. Both,
either or none (then the line only goes to the log). A notifier that fails is logged, never
fails the run it reports on.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import subprocess
import urllib.request

from orchestration.settings import Settings

TIMEOUT_SECONDS = 15
log = logging.getLogger("cjm.notify")


def notify(settings: Settings, line: str) -> list[str]:
    """Send `line` to every configured notifier; returns what could not be sent (one line
    each), empty when all went (or none is configured)."""
    line = f"cjm-warehouse {settings.home}: {line}"
    problems = []
    command = settings.notify_command
    if command:
        try:
            result = subprocess.run(
                [*shlex.split(command), line],
                env={**os.environ, "CJM_ALERT": line},
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
            )
            if result.returncode != 0:
                problems.append(
                    f"CJM_NOTIFY_COMMAND exited {result.returncode}: {result.stderr.strip()[:200]}"
                )
        except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
            problems.append(f"CJM_NOTIFY_COMMAND failed: {exc}")
    webhook = settings.notify_webhook
    if webhook:
        request = urllib.request.Request(
            webhook,
            data=json.dumps({"text": line}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                response.read()
        except (OSError, ValueError) as exc:
            problems.append(f"CJM_NOTIFY_WEBHOOK failed: {exc}")
    for problem in problems:
        log.warning("the alert was not sent: %s (alert: %s)", problem, line)
    return problems
