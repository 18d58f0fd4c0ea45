"""The `cjm` command: simulate, run, publish, demo, accept, erase, report, bench, status, serve,
ui.

Errors print one line and the log path; the traceback goes to the log file only.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import itertools
import json
import os
import sys
import time
import traceback
from pathlib import Path

from orchestration.settings import Settings

DEMO_PARAMS = {"customers": 2000, "days": 30, "start": dt.date(2026, 9, 1), "seed": 42}


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _log_path(settings: Settings, command: str) -> Path:
    """A new log file of its own: two commands started in the same second never share one."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    settings.logs_dir.mkdir(parents=True, exist_ok=True)
    for attempt in itertools.count(1):
        suffix = "" if attempt == 1 else f"-{attempt}"
        path = settings.logs_dir / f"{command}-{stamp}{suffix}.log"
        try:
            path.open("x").close()  # created exclusively, or taken by another command
        except FileExistsError:
            continue
        return path
    raise AssertionError("unreachable")


# simulate ---------------------------------------------------------------------------------------
def cmd_simulate(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.simulator import SimulationParams, simulate

    params = SimulationParams(
        customers=args.customers,
        days=args.days,
        start=args.start,
        seed=args.seed,
        **({} if args.dirty_rate is None else {"dirty_rate": args.dirty_rate}),
    )
    out = Path(args.out).resolve() if args.out else settings.landing_dir
    truth = out.parent / "truth"
    started = time.perf_counter()
    dirt = simulate(
        params,
        out,
        truth,
        progress=lambda m: _say(f"[{time.perf_counter() - started:6.1f}s] {m}"),
        workers=args.workers,
    )
    planted = ", ".join(f"{s}: {sum(k.values())}" for s, k in sorted(dirt.items())) or "none"
    _say(f"dirty records planted ({params.dirty_rate:.2%} rate): {planted}; truth in {truth}")
    return 0


# run --------------------------------------------------------------------------------------------
def run_pipeline(
    settings: Settings, until: dt.date | None, log_path: Path, edited: list[str] | None = None
) -> int:
    """Execute the nightly job in-process through Dagster; return the exit code. `edited`
    (dbt unique ids, `cjm publish`): only those dbt nodes, their checks and the publication."""
    from orchestration.logging import RUN_LOG_ENV

    os.environ[RUN_LOG_ENV] = str(log_path)
    _say("loading pipeline definitions ...")
    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.ingestion.sources import SOURCES
    from orchestration.jobs import NIGHTLY_JOB_NAME

    definitions = build_definitions(settings)
    job = definitions.resolve_job_def(NIGHTLY_JOB_NAME)
    selection = None
    if edited is not None:
        from orchestration.transform.edits import edited_assets

        selection = [
            *sorted(edited_assets(definitions, edited), key=str),
            dg.AssetKey("published_warehouse"),
            dg.AssetKey("html_reports"),
        ]
    run_config: dict = {"loggers": {"console": {}}}
    if until is not None:
        run_config["ops"] = {
            f"{spec.name}__{spec.table}": {"config": {"until": until.isoformat()}}
            for spec in SOURCES.values()
        }
    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            run_config=run_config,
            asset_selection=selection,
            raise_on_error=False,
            tags={"cjm/trigger": "cli", **({"cjm/until": until.isoformat()} if until else {})},
        )
    elapsed = time.perf_counter() - started
    if result.success:
        from orchestration.publish.writer import latest_publication

        publication = latest_publication(settings) or {}
        if publication.get("run_id") != result.run_id:
            _say(
                f"run {result.run_id[:8]} succeeded in {elapsed:.0f}s: nothing new since run "
                f"{str(publication.get('run_id'))[:8]} (same landing files, same code), so the "
                f"publication of {publication.get('published_at')} UTC stands: "
                f"{settings.published_db}, {settings.reports_dir / 'index.html'}"
            )
            _alert_if_stale(settings, result.run_id)
            return 0
        _say(
            f"run {result.run_id[:8]} succeeded in {elapsed:.0f}s: published "
            f"{settings.published_db} ({publication.get('tables')} tables, data through "
            f"{publication.get('data_through')}), {settings.exports_dir}/<table>/*.parquet and "
            f"{settings.reports_dir / 'index.html'}"
        )
        _alert_if_stale(settings, result.run_id)
        return 0
    from orchestration.alerts import run_failed
    from orchestration.publish.writer import latest_publication
    from orchestration.run_state import failure_lines

    failures = failure_lines(result.all_events)
    for line in failures:
        _say(line)
    run_failed(settings, result.run_id, failures, f"full log: {log_path}")
    published = (latest_publication(settings) or {}).get("run_id") == result.run_id
    _say(
        f"run {result.run_id[:8]} failed after {elapsed:.0f}s; "
        + (
            f"it published {settings.published_db} before the step above failed"
            if published
            else "nothing was published (the last publication stays)"
        )
        + f"; full log: {log_path}"
    )
    from reports.build import build_reports_for_latest_run

    try:
        _say(f"reports marked stale: {build_reports_for_latest_run(settings)}")
    except Exception as exc:  # the run's failure stays the news: one line, traceback in the log
        with log_path.open("a") as log:
            log.write(traceback.format_exc())
        cause = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        _say(
            f"the reports could not be rebuilt ({cause}); the stale banner was put on the pages"
            f" already there: {settings.reports_dir / 'index.html'}"
        )
    return 1


def _alert_if_stale(settings: Settings, run_id: str) -> None:
    from orchestration.alerts import after_success

    line = after_success(settings, run_id)
    if line:
        _say(line)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    args.log_path = _log_path(settings, "run")
    return run_pipeline(settings, args.date, args.log_path)


def cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    """After an edit of the dbt project: rebuild what it touched, check, publish."""
    from orchestration.transform.edits import NoCompleteBuild, edited_ids

    args.log_path = _log_path(settings, "publish")
    _say("comparing the dbt project with the last complete build ...")
    try:
        edited = edited_ids(settings)
    except NoCompleteBuild as exc:
        _say(f"cjm publish: {exc}")
        return 1
    if not edited:
        _say("nothing edited since the last complete build: the publication stands")
        return 0
    names = [unique_id.split(".")[-1] for unique_id in edited]
    shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    _say(f"rebuilding {len(names)} model(s) an edit touched or feeds: {shown}")
    return run_pipeline(settings, None, args.log_path, edited=edited)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    if not any(p.is_file() for p in settings.landing_dir.rglob("*")):
        _say(
            f"landing is empty: simulating the demo sample ({DEMO_PARAMS['customers']} customers, "
            f"{DEMO_PARAMS['days']} days)"
        )
        cmd_simulate(
            argparse.Namespace(**DEMO_PARAMS, dirty_rate=args.dirty_rate, out=None, workers=1),
            settings,
        )
    args.log_path = _log_path(settings, "run")
    code = run_pipeline(settings, None, args.log_path)
    _say("")
    _say(f"landing files:  {settings.landing_dir}")
    _say(f"published:      {settings.published_db} (open read-only from BI tools)")
    _say(f"exports:        {settings.exports_dir}")
    _say(f"build file:     {settings.build_db}")
    _say(f"logs:           {settings.logs_dir}")
    _say("next:           cjm status | cjm ui | cjm report")
    _say(f"reports:        {settings.reports_dir / 'index.html'} (open in a browser)")
    return code


# accept -----------------------------------------------------------------------------------------
def cmd_accept(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.ingestion import loader
    from orchestration.ingestion.sources import SOURCES
    from orchestration.quality.acceptance import NothingToAccept, accept
    from orchestration.warehouse import connect

    if not settings.build_db.exists():
        _say("cjm accept: nothing loaded yet (run `cjm run` first)")
        return 1
    con = connect(settings)
    try:
        loader.ensure_tables(con, next(iter(SOURCES.values())))
        rows = accept(con, args.target, args.reason, settings.landing_dir)
    except NothingToAccept as exc:
        _say(f"cjm accept: {exc}")
        return 1
    finally:
        con.close()
    for _, source, file, batch in rows:
        _say(f"accepted {file} (source {source}, batch {str(batch)[:8]})")
    _say(f"{len(rows)} file(s) accepted; the next `cjm run` publishes them (bad rows stay out)")
    return 0


# erase ------------------------------------------------------------------------------------------
def cmd_erase(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.erasure.erase import ErasureError, erase_customer

    try:
        erasure = erase_customer(settings, args.customer, args.reason, progress=_say)
    except ErasureError as exc:
        _say(f"cjm {exc}")
        return 1
    _say(erasure.summary())
    for file in erasure.files_not_rewritten:
        _say(f"not rewritten: landing/{file}")
    return 0


# report -----------------------------------------------------------------------------------------
def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from reports.build import build_reports_for_latest_run

    print(build_reports_for_latest_run(settings, self_contained=args.self_contained))
    return 0


# bench ------------------------------------------------------------------------------------------
def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.bench.runner import markdown, run_tier, write_results
    from orchestration.bench.tiers import TIERS

    tier = TIERS[args.tier]
    if args.customers or args.days:  # a smaller or larger cut of the tier, named by its size
        customers, days = args.customers or tier.customers, args.days or tier.days
        tier = dataclasses.replace(
            tier, name=f"{tier.name}-{customers}x{days}", customers=customers, days=days
        )
    started = time.perf_counter()
    command = "cjm bench --tier " + args.tier
    if args.customers or args.days:
        command += f" --customers {tier.customers} --days {tier.days}"
    result = run_tier(
        tier,
        settings,
        lambda m: _say(f"[{time.perf_counter() - started:7.1f}s] {m}"),
        command,
        save=write_results,
    )
    json_path, md_path = write_results(result)
    print(markdown(result))
    _say(f"results: {json_path} and {md_path}")
    _say(f"full build / baseline.sql: {result['full_build_vs_baseline']}x")
    return 0


# status -----------------------------------------------------------------------------------------
def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 1 when the data is stale (a source past its freshness, the published data past its
    bound); `--alert` also sends the stale line to the notifier (a watchdog for a timer)."""
    from orchestration import freshness
    from orchestration.status import render_status, status_document

    findings = freshness.judge(settings)
    stale = freshness.stale(findings)
    if args.json:
        print(json.dumps(status_document(settings, findings), indent=2))
    else:
        print(render_status(settings, findings))
    if stale and args.alert:
        from orchestration.alerts import stale_line
        from orchestration.notify import notify

        notify(settings, stale_line(stale))
    return 1 if stale else 0


# serve and ui ------------------------------------------------------------------------------------
def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.service import AlreadyServing, serve

    if args.micro_batch is not None:
        settings = dataclasses.replace(settings, micro_batch_seconds=args.micro_batch)
    try:
        return serve(settings, _say)
    except AlreadyServing as exc:
        _say(f"cjm serve: {exc}")
        return 1


def cmd_ui(args: argparse.Namespace, settings: Settings) -> int:
    from orchestration.service import serving, supervise, ui_command

    served = serving(settings)
    _say(
        f"Dagster UI on http://127.0.0.1:{args.port} (Ctrl-C to stop)"
        + (f"; `cjm serve` ({served}) runs the schedule and sensors" if served else "")
    )
    return supervise(ui_command(args.port, with_daemon=served is None), settings, None, _say)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cjm", description="Customer-journey warehouse.")
    sub = parser.add_subparsers(dest="command", required=True)

    sim = sub.add_parser("simulate", help="write realistic landing files for all sources")
    sim.add_argument("--customers", type=int, default=DEMO_PARAMS["customers"])
    sim.add_argument("--days", type=int, default=DEMO_PARAMS["days"])
    sim.add_argument("--start", type=_date, default=DEMO_PARAMS["start"])
    sim.add_argument("--seed", type=int, default=DEMO_PARAMS["seed"])
    sim.add_argument(
        "--dirty-rate",
        type=float,
        help="share of each source's records given a fault, spread over the kinds of fault"
        " (default 0.002; 0 = clean)",
    )
    sim.add_argument("--out", help="landing folder (default: $CJM_HOME/landing)")
    sim.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes simulating shards of a large sample at once (default: all cores)",
    )
    sim.set_defaults(handler=cmd_simulate)

    run = sub.add_parser("run", help="the nightly job: ingest, dbt build (exit 0 = success)")
    run.add_argument("--date", type=_date, help="load day folders up to this day only")
    run.set_defaults(handler=cmd_run)

    publish = sub.add_parser(
        "publish",
        help="after an edit of the dbt project: rebuild what it touched, check and publish",
    )
    publish.set_defaults(handler=cmd_publish)

    demo = sub.add_parser("demo", help="simulate a sample if landing is empty, then run")
    demo.add_argument(
        "--dirty-rate",
        type=float,
        help="dirty rate of the demo sample (default 0.002, as real feeds: its dirt is"
        " quarantined and counted, and it publishes; 0 = clean)",
    )
    demo.set_defaults(handler=cmd_demo)

    accept = sub.add_parser(
        "accept", help="publish a blocked file or batch knowingly (recorded with the reason)"
    )
    accept.add_argument("target", help="a landing file, or a batch (run) id or its first 8 chars")
    accept.add_argument("--reason", required=True, help="why it may be published")
    accept.set_defaults(handler=cmd_accept)

    erase = sub.add_parser(
        "erase",
        help="erase a customer (a GDPR request) from every file, and keep them out of later loads",
    )
    erase.add_argument(
        "--customer", required=True, help="the customer's CRM id, e-mail address or phone number"
    )
    erase.add_argument("--reason", help="a note for the erasure log (no personal data)")
    erase.set_defaults(handler=cmd_erase)

    report = sub.add_parser(
        "report", help="rebuild the HTML reports from the published warehouse; print index.html"
    )
    report.add_argument(
        "--self-contained",
        action="store_true",
        help="inline plotly.js in every page (single files to mail; about 5 MB each) instead of"
        " sharing plotly.min.js beside them",
    )
    report.set_defaults(handler=cmd_report)

    bench = sub.add_parser(
        "bench", help="time full build, one new day and a no-op re-run against bench/baseline.sql"
    )
    bench.add_argument("--tier", choices=["S", "M", "L"], default="S")
    bench.add_argument("--customers", type=int, help="override the tier's customers")
    bench.add_argument("--days", type=int, help="override the tier's days of history")
    bench.set_defaults(handler=cmd_bench)

    status = sub.add_parser(
        "status", help="publication, freshness, load ledger and last runs (exit 1 when stale)"
    )
    status.add_argument("--json", action="store_true", help="one JSON document instead")
    status.add_argument("--alert", action="store_true", help="send an alert when stale")
    status.set_defaults(handler=cmd_status)

    serve = sub.add_parser(
        "serve",
        help="run the schedule and sensors (Dagster's daemon, no UI) until SIGTERM or Ctrl-C",
    )
    serve.add_argument(
        "--micro-batch",
        nargs="?",
        type=int,
        const=60,
        metavar="SECONDS",
        help="load, build and publish each landed file (checked every SECONDS, default 60;"
        " CJM_MICRO_BATCH_SECONDS)",
    )
    serve.set_defaults(handler=cmd_serve)

    ui = sub.add_parser("ui", help="Dagster UI on 127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(handler=cmd_ui)
    return parser


# commands that change the warehouse: one at a time per home (orchestration/run_lock.py)
WAREHOUSE_WRITERS = {"run", "publish", "demo", "accept", "erase"}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        settings.prepare()
    except (OSError, ValueError) as exc:  # an unusable CJM_HOME or setting: one line, no traceback
        _say(f"cjm {args.command}: error: cannot use the settings: {exc}")
        return 2
    from orchestration.run_lock import WarehouseBusy, exclusive
    from orchestration.run_state import explain

    try:
        if args.command in WAREHOUSE_WRITERS:
            with exclusive(settings, args.command):
                return args.handler(args, settings)
        return args.handler(args, settings)
    except WarehouseBusy as exc:
        _say(f"cjm {args.command}: {exc}")
        return 1
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except Exception as exc:  # one clear line for the user, the traceback in the log
        # the run's own log when it has one: appended to, never overwritten
        message = explain(str(exc).strip() or type(exc).__name__)
        try:
            log_path = getattr(args, "log_path", None) or _log_path(settings, args.command)
            with log_path.open("a") as log:
                log.write(traceback.format_exc())
            details = f"details: {log_path}"
        except OSError:  # a full disk: the cause still gets its one line
            details = "the log could not be written either"
        _say(f"cjm {args.command}: error: {message} ({details})")
        return 1


if __name__ == "__main__":
    sys.exit(main())
