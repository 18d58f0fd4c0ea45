"""`cjm serve` and `cjm ui`: Dagster's daemon (and its UI) as a child process tree that stops
with the command.

`cjm serve` runs Dagster's daemon without the web UI: it fires the nightly schedule and the
sensors (micro-batches, the stale banner) and launches each run in a process of its own. The
command stays in the foreground (systemd, a container or a terminal supervises it), writes the
daemon's output to `$CJM_HOME/logs/serve.log`, and on SIGTERM, SIGINT or SIGHUP stops the whole
tree (the daemon, its code server, a run under way and its dbt) within `GRACE_SECONDS`, then
kills what is left: no process outlives it. It is the reaper of its descendants (Linux
`PR_SET_CHILD_SUBREAPER`), so a run whose daemon died is still found and stopped.

`cjm ui` supervises `dagster dev` the same way; while `cjm serve` runs on the home it starts
the web UI alone, so the schedule never fires twice.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from orchestration.run_lock import Held, file_lock, holder_of
from orchestration.settings import REPO_ROOT, Settings

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_DEFINITIONS = "orchestration.definitions"
GRACE_SECONDS = 10
_PR_SET_CHILD_SUBREAPER = 36


class AlreadyServing(RuntimeError):
    """`cjm serve` already runs on this home."""


def serve_lock_path(settings: Settings) -> Path:
    return settings.dagster_home / ".serve.lock"


def serving(settings: Settings) -> str | None:
    """Who serves the home ("`cjm serve` (pid N) since ..."), or None when nobody does."""
    return holder_of(serve_lock_path(settings))


@contextlib.contextmanager
def _serve_lock(settings: Settings) -> Iterator[None]:
    try:
        with file_lock(serve_lock_path(settings), "`cjm serve`"):
            yield
    except Held as held:
        raise AlreadyServing(f"`cjm serve` already runs on {settings.home}: {held}") from None


def daemon_command() -> list[str]:
    return [str(Path(sys.executable).with_name("dagster-daemon")), "run", "-m", _DEFINITIONS]


def ui_command(port: int, with_daemon: bool) -> list[str]:
    """`dagster dev` (UI and daemon), or the web UI alone while `cjm serve` runs the daemon."""
    program = ["dagster", "dev"] if with_daemon else ["dagster-webserver"]
    return [
        str(Path(sys.executable).with_name(program[0])),
        *program[1:],
        *["-m", _DEFINITIONS, "--host", "127.0.0.1", "--port", str(port)],
    ]


def serve(settings: Settings, say: Callable[[str], None]) -> int:
    """Run Dagster's daemon for the home until a stop signal; the exit code: 0 when stopped by
    a signal, the daemon's own when it ended by itself."""
    from orchestration.jobs import nightly_schedule

    nightly_schedule(settings)  # Dagster checks the cron string: a typo stops here, not at 02:00
    log_path = settings.logs_dir / "serve.log"
    with _serve_lock(settings):
        micro = (
            f"micro-batches: a landed file starts a run (checked every "
            f"{settings.micro_batch_seconds} s)"
            if settings.micro_batch_seconds
            else "micro-batches off (CJM_MICRO_BATCH_SECONDS or --micro-batch)"
        )
        say(
            f"serving {settings.home}: the nightly job at `{settings.schedule}` "
            f"({settings.schedule_timezone}); {micro}; log: {log_path}; stop with SIGTERM or Ctrl-C"
        )
        return supervise(daemon_command(), settings, log_path, say)


def supervise(
    command: list[str], settings: Settings, log_path: Path | None, say: Callable[[str], None]
) -> int:
    """Run `command` (a process tree) until it ends or a stop signal comes; then stop the tree."""
    stop: list[int] = []

    def _on_signal(signum: int, _frame) -> None:
        stop.append(signum)

    previous = {sig: signal.signal(sig, _on_signal) for sig in STOP_SIGNALS}
    with contextlib.suppress(OSError, AttributeError):  # not Linux: orphans go to init
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    log = log_path.open("a") if log_path else None
    try:
        child = subprocess.Popen(
            command,
            env={**os.environ, **settings.child_env()},
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT if log else None,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a terminal's Ctrl-C comes to us
        )
        while not stop and child.poll() is None:
            time.sleep(0.2)
        if not stop:
            say(f"{Path(command[0]).name} ended by itself (exit {child.returncode})")
            stop_tree(child.pid)
            return child.returncode or 1
        say(f"{signal.Signals(stop[0]).name}: stopping {Path(command[0]).name} and its runs ...")
        left = stop_tree(child.pid)
        say("stopped" + (f"; killed {left} process(es) that ignored SIGTERM" if left else ""))
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if log:
            log.close()


def stop_tree(root: int, grace: float = GRACE_SECONDS) -> int:
    """SIGTERM to `root` and every descendant, SIGKILL to those still there after `grace`
    seconds; reaps them. Returns how many had to be killed."""
    tree = [root, *descendants(root)]
    for pid in tree:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        _reap()
        # an orphan of the tree is this process's child now (the subreaper)
        tree = [pid for pid in {*tree, *_descendants_of_all([*tree, os.getpid()])} if _alive(pid)]
        if not tree:
            return 0
        time.sleep(0.1)
    for pid in tree:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    _reap()
    return len(tree)


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process, from /proc."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            found[int(stat.parent.name)] = int(text[text.rindex(")") + 2 :].split()[1])
    return found


def descendants(root: int) -> list[int]:
    return _descendants_of_all([root])


def _descendants_of_all(roots: list[int]) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    found, todo = [], list(roots)
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    """Running, not a zombie."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text[text.rindex(")") + 2] != "Z"
