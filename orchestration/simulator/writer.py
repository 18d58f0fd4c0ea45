"""Turn a simulated world into landing files (as the real systems export them) and truth files.

Formatting is done by DuckDB over the whole table at once (ids, timestamps, JSON); Python only
joins each day's lines and writes the files. Output is byte-identical for the same parameters.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from orchestration.simulator.dirt import Dirt
from orchestration.simulator.formats import csv_line
from orchestration.simulator.params import LANGUAGES, PERSONAS, PLANS, REASONS
from orchestration.simulator.population import DAY
from orchestration.simulator.service import (
    CHANNELS,
    DISCONNECTS,
    DISPOSITIONS,
    INITIATION,
    IVR_OUTCOMES,
    SYSTEM_DROP,
)
from orchestration.simulator.texts import NAMES, REASON_WORDS, THEMES, verbatim
from orchestration.simulator.web import (
    CAMPAIGNS,
    EVENT_NAMES,
    PATHS,
    SEARCH,
    UTM_MEDIUMS,
    UTM_SOURCES,
)
from orchestration.simulator.world import World

SITE = "https://www.example-telco.com"
QUEUES = {
    "billing": "Billing",
    "delivery": "Delivery",
    "technical": "Tech Support",
    "account": "Accounts",
    "cancellation": "Retention",
    "sales_question": "Sales",
}


def _sql_list(values) -> str:
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def _macros(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    con.execute(
        f"create macro uid(prefix, n) as md5(prefix || ':{seed}:' || n::varchar)::uuid::varchar"
    )
    con.execute(
        "create macro iso(s) as case when s >= 0 then "
        "strftime(make_timestamp(s * 1000000), '%Y-%m-%dT%H:%M:%SZ') end"
    )
    con.execute(
        "create macro plain(s) as case when s >= 0 then "
        "strftime(make_timestamp(s * 1000000), '%Y-%m-%d %H:%M:%S') end"
    )
    con.execute("create macro day_of(s) as make_timestamp(s * 1000000)::date")
    con.execute("create macro pick(list, i) as case when i >= 0 then list[i + 1] end")


def _customers(world: World) -> pd.DataFrame:
    pop = world.population
    n = pop.size
    lang = np.asarray(LANGUAGES)[pop.language]
    names = [NAMES[lang[i]][pop.name_pick[i]] for i in range(n)]
    tld = np.where(lang == "en", "com", np.where(lang == "zh", "cn", lang))
    first = world.params.first_customer
    number = np.arange(first, first + n).astype(str)
    return pd.DataFrame(
        {
            "idx": np.arange(n),
            "customer_id": np.char.add("C", np.char.zfill(number, 7)),
            "first_name": [name[0] for name in names],
            "last_name": [name[1] for name in names],
            "email": np.char.add(
                np.char.add(np.char.add([name[2] for name in names], "."), number),
                np.char.add("@example.", tld),
            ),
            "phone_cc": pop.phone_cc,
            "phone_local": pop.phone_local.astype(str),
            "segment": np.asarray(PERSONAS)[pop.persona],
            "country": pop.country,
            "language": lang,
        }
    )


def _group_lines(days: np.ndarray, lines: np.ndarray) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if len(days) == 0:
        return out
    unique, starts = np.unique(days, return_index=True)
    bounds = [*starts[1:], len(days)]
    for day, a, b in zip(unique, starts, bounds, strict=True):
        out[str(day)] = list(lines[a:b])
    return out


class LandingWriter:
    def __init__(
        self, world: World, out_dir: Path, dirt: Dirt, progress: Callable[[str], None] | None = None
    ) -> None:
        self.world = world
        self.out = out_dir
        self.dirt = dirt
        self.progress = progress or (lambda message: None)
        self.con = duckdb.connect()
        self.con.execute("set threads = 2")
        self.con.execute("set enable_progress_bar = false")
        _macros(self.con, world.params.seed)
        self.con.register("customers", _customers(world))
        self.files: list[Path] = []
        self.planted_themes: list[tuple[str, str, str]] = []  # response, language, themes

    def _write(self, source: str, day: str, name: str, data: bytes) -> None:
        path = self.out / source / day / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.files.append(path)

    # Contact centre -----------------------------------------------------------------------
    def contacts(self) -> None:
        legs = pd.DataFrame(self.world.service.legs)
        rng = np.random.default_rng([self.world.params.seed, 2])
        legs["fmt"] = rng.integers(0, 3, size=len(legs))
        legs["id_known"] = rng.random(len(legs)) < np.select(
            [legs["channel"] == 0, legs["channel"] == 1, legs["channel"] == 4], [0.6, 0.7, 0.5], 0
        )
        legs["dirt"] = self.dirt.contact_flags(legs)
        self.con.register("legs", legs)
        reasons, channels = _sql_list(REASONS), _sql_list(CHANNELS)
        first = self.world.params.first_customer
        queues = _sql_list(QUEUES[r] for r in REASONS)
        rows = self.con.execute(f"""
            select day_of(l.initiated)::varchar as day, l.dirt, to_json({{
                contact_id: uid('ct', l.number),
                initial_contact_id: case when l.initial >= 0 then uid('ct', l.initial) end,
                previous_contact_id: case when l.previous >= 0 then uid('ct', l.previous) end,
                channel: pick({channels}, l.channel),
                direction: case when l.channel = 3 then 'outbound' else 'inbound' end,
                initiation_method: pick({_sql_list(INITIATION)}, l.initiation),
                customer_id: case when l.dirt = 2 then 'C9' || lpad(l.number::varchar, 6, '0')
                                  when l.id_known and c.idx is not null then c.customer_id end,
                customer_phone: case
                    when l.channel not in (0, 3) then null
                    when c.idx is null
                        then '+371 3' || lpad((-l.customer + {first - 1})::varchar, 7, '0')
                    when l.fmt = 0 then '+' || c.phone_cc || ' ' || c.phone_local
                    when l.fmt = 1 then '00' || c.phone_cc || c.phone_local
                    else '(+' || c.phone_cc || ') ' || substr(c.phone_local, 1, 4) || '-'
                         || substr(c.phone_local, 5) end,
                customer_email: case
                    when l.channel not in (1, 2) or c.idx is null then null
                    when l.fmt = 2 then upper(c.email)
                    when l.fmt = 1 then ' ' || c.email
                    else c.email end,
                ivr_path: case
                    when l.channel = 4 then 'bot>intent_' || pick({reasons}, l.reason)
                         || case when l.ivr_outcome = 1 then '>resolved' else '>handoff' end
                    when l.channel = 0 and l.initiation = 0
                         then 'main>' || pick({reasons}, l.reason)
                         || case when l.ivr_outcome = 1 then '>self_service'
                                 when l.ivr_self_service = 1 then '>self_service>agent'
                                 else '>agent' end
                    end,
                ivr_outcome: pick({_sql_list(IVR_OUTCOMES)}, nullif(l.ivr_outcome, 0)),
                queue: case
                    when l.queued < 0 and l.answered < 0 and l.channel <> 3 then null
                    when l.initiation = 1 then 'Tier 2 ' || pick(['Voice', 'Chat'], l.channel)
                    else pick({queues}, l.reason) || ' '
                         || pick(['Voice', 'Chat', 'Email', 'Voice'], l.channel) end,
                agent_id: case when l.agent >= 0
                               then 'agent_' || lpad((l.agent + 1)::varchar, 3, '0') end,
                initiated_at: iso(l.initiated),
                queued_at: iso(l.queued),
                answered_at: case when l.channel <> 2 then iso(l.answered) end,
                ended_at: iso(l.ended),
                acw_ended_at: iso(l.acw_ended),
                hold_seconds: case when l.answered >= 0 and l.channel <> 2
                                   then l.hold::varchar::json end,
                disconnect_reason: pick({_sql_list(DISCONNECTS)}, nullif(l.disconnect, 0)),
                contact_reason: pick({reasons}, l.reason),
                disposition: pick({_sql_list(DISPOSITIONS)}, nullif(l.disposition, 0)),
                received_at: case when l.channel = 2 then iso(l.initiated) end,
                first_response_at: case when l.channel = 2 then iso(l.first_response) end
            }})::varchar as line
            from legs as l
            left join customers as c on c.idx = l.customer
            order by l.initiated, l.number
        """).fetchnumpy()
        self.con.unregister("legs")
        records = np.empty(len(rows["line"]), dtype=object)
        records[:] = list(zip(rows["line"], rows["dirt"].tolist(), strict=True))
        files = _group_lines(rows["day"], records)
        late = self.dirt.late_file("contact_center", files)
        for (day, name), day_records in [
            *(((day, "contacts.jsonl.gz"), r) for day, r in files.items()),
            *late.items(),
        ]:
            data = ("\n".join(self.dirt.expand(day_records)) + "\n").encode()
            self._write("contact_center", day, name, gzip.compress(data, 1, mtime=0))
        self.progress("contact centre files written")

    # Web ------------------------------------------------------------------------------------
    def web(self) -> None:
        w = self.world.web
        events = pd.DataFrame({k: v for k, v in w.items() if k not in ("kind", "landing", "at")})
        events["ts"] = w["at"]
        events["landing"] = w["landing"]
        events["device"] = self.world.population.cookie_device_type[w["cookie"]]
        events["n"] = np.arange(len(events))
        events["dirt"] = self.dirt.web_flags(len(events))
        self.con.register("events", events)
        extra_day = self.dirt.extra_column_day(self.world)
        search_words = _sql_list(REASON_WORDS["en"][r] for r in REASONS)
        # Order numbers restart in every shard: later shards prefix them with their first customer.
        first = self.world.params.first_customer
        order_prefix = "O" if first == 1 else f"O{first}-"
        rows = self.con.execute(f"""
            with formatted as (
                select e.*, c.customer_id as user_customer_id,
                    case when e.reason >= 0 then '/help/' || pick({_sql_list(REASONS)}, e.reason)
                         else pick({_sql_list(PATHS)}, e.path) end as page_path,
                    pick({_sql_list(CAMPAIGNS)}, e.campaign) as utm_campaign,
                    pick({_sql_list(UTM_SOURCES)}, e.campaign) as utm_source,
                    pick({_sql_list(UTM_MEDIUMS)}, e.campaign) as utm_medium
                from events as e
                left join customers as c on c.idx = e.user
            )
            select day_of(ts)::varchar as day, dirt, to_json({{
                event_id: uid('ev', n),
                event_at: iso(ts),
                cookie_id: uid('ck', cookie),
                user_id: user_customer_id,
                event_name: pick({_sql_list(EVENT_NAMES)}, event),
                page_url: '{SITE}' || page_path || case when utm_campaign is not null then
                    '?utm_source=' || utm_source || '&utm_medium=' || utm_medium
                    || '&utm_campaign=' || utm_campaign else '' end,
                page_path: page_path,
                referrer: case when landing and utm_source = 'google' then 'https://www.google.com/'
                               when landing and utm_source = 'facebook' then 'https://m.facebook.com/'
                               when landing then null
                               else '{SITE}/' end,
                utm_source: utm_source,
                utm_medium: utm_medium,
                utm_campaign: utm_campaign,
                device_type: pick(['desktop', 'mobile', 'tablet'], device),
                search_term: case when event = {SEARCH} then
                    coalesce(pick({search_words}, reason), 'pricing') end,
                order_id: case when not isnan(order_value)
                    then '{order_prefix}' || lpad(n::varchar, 9, '0') end,
                order_value: case when not isnan(order_value) then order_value end
            }})::varchar as line
            from formatted
            order by ts, cookie, n
        """).fetchnumpy()
        self.con.unregister("events")
        lines = rows["line"]
        if extra_day:
            on_day = rows["day"] == extra_day
            lines = lines.copy()
            lines[on_day] = np.char.add(
                np.char.rstrip(lines[on_day].astype(str), "}"), ',"experiment_id":"exp-checkout-b"}'
            )
            self.dirt.count("web", "extra_column", int(on_day.sum()))
        records = np.empty(len(lines), dtype=object)
        records[:] = list(zip(lines, rows["dirt"].tolist(), strict=True))
        for day, day_records in _group_lines(rows["day"], records).items():
            data = ("\n".join(self.dirt.expand(day_records)) + "\n").encode()
            self._write("web", day, "events.jsonl.gz", gzip.compress(data, 1, mtime=0))
        self.progress("web files written")

    # Surveys --------------------------------------------------------------------------------
    def surveys(self) -> None:
        s = pd.DataFrame(self.world.surveys)
        s["n"] = np.arange(len(s))
        s["dirt"] = self.dirt.survey_flags(len(s))
        self.con.register("surveys", s)
        rows = self.con.execute("""
            select day_of(s.responded)::varchar as day, s.dirt, s.has_verbatim, s.pick, s.themes,
                s.survey_type, s.csat as raw_csat, s.nps as raw_nps, s.reason,
                coalesce(c.language, 'en') as language,
                uid('sv', s.n) as response_id,
                pick(['post_contact', 'relationship'], s.survey_type) as survey_type_name,
                case when s.contact >= 0 then uid('ct', s.contact) end as contact_id,
                uid('ct', s.contact + 1000000000) as unknown_contact_id,
                case when s.survey_type = 1 then c.customer_id end as customer_id,
                c.email as customer_email,
                plain(s.sent) as sent_at, plain(s.responded) as responded_at,
                case when s.nps >= 0 then s.nps end as nps,
                case when s.csat >= 0 then s.csat end as csat,
                case when s.ces >= 0 then s.ces end as ces
            from surveys as s
            left join customers as c on c.idx = s.customer
            order by s.responded, s.n
        """).fetchdf()
        self.con.unregister("surveys")
        header = [
            "response_id",
            "survey_type",
            "contact_id",
            "customer_id",
            "customer_email",
            "sent_at",
            "responded_at",
            "nps",
            "csat",
            "ces",
            "verbatim",
            "language",
        ]
        extra = self.dirt.extra_column_day(self.world, source="survey")
        by_day: dict[str, list[bytes]] = {}
        for row in rows.itertuples(index=False):
            score = row.raw_csat if row.survey_type == 0 else row.raw_nps
            score_good = score >= (4 if row.survey_type == 0 else 9)
            score_bad = score <= (2 if row.survey_type == 0 else 6)
            tone = "positive" if score_good else "negative" if score_bad else "neutral"
            text = (
                verbatim(row.language, tone, REASONS[row.reason], row.pick, row.themes)
                if row.has_verbatim
                else ""
            )
            if text:
                self.planted_themes.append(
                    (
                        row.response_id,
                        row.language,
                        " ".join(t for i, t in enumerate(THEMES) if row.themes >> i & 1),
                    )
                )
            values = [
                row.response_id,
                row.survey_type_name,
                row.contact_id,
                row.customer_id,
                row.customer_email,
                row.sent_at,
                row.responded_at,
                row.nps,
                row.csat,
                row.ces,
                text,
                row.language,
            ]
            values = [
                "" if pd.isna(v) else str(int(v)) if isinstance(v, float) else str(v)
                for v in values
            ]
            by_day.setdefault(row.day, []).extend(
                self.dirt.survey_rows(row.dirt, values, row.unknown_contact_id)
            )
        for day, encoded in by_day.items():
            suffix = b",v2" if day == extra else b""
            head = header + (["survey_version"] if suffix else [])
            if suffix:
                self.dirt.count("survey", "extra_column", len(encoded))
            body = b"".join(line + suffix + b"\r\n" for line in encoded)
            # Survey tools export UTF-8 with a byte-order mark and CRLF line ends.
            self._write(
                "survey",
                day,
                "responses.csv",
                b"\xef\xbb\xbf" + csv_line(head).encode() + b"\r\n" + body,
            )
        self.progress("survey files written")

    # CRM ------------------------------------------------------------------------------------
    def crm(self) -> None:
        pop, t0 = self.world.population, self.world.t0
        n = pop.size
        idx = np.arange(n)
        existing = pop.signup < t0
        first_at = np.where(existing, t0 + 300, pop.signup)
        kinds = [(idx, first_at, 0)]
        changed = pop.plan_change_at >= 0
        kinds.append((idx[changed], pop.plan_change_at[changed], 1))
        cancelled = pop.cancel_at >= 0
        kinds.append((idx[cancelled], pop.cancel_at[cancelled] + 60, 2))
        versions = pd.DataFrame(
            {
                "idx": np.concatenate([k[0] for k in kinds]),
                "at": np.concatenate([k[1] for k in kinds]),
                "kind": np.concatenate([np.full(len(k[0]), k[2]) for k in kinds]),
            }
        )
        versions["plan"] = np.where(
            (pop.plan_change_at[versions["idx"]] >= 0)
            & (versions["at"] >= pop.plan_change_at[versions["idx"]]),
            pop.new_plan[versions["idx"]],
            pop.plan[versions["idx"]],
        )
        versions["signup"] = pop.signup[versions["idx"]]
        versions["cancel"] = np.where(versions["kind"] == 2, pop.cancel_at[versions["idx"]], -1)
        versions = versions[(versions["at"] >= t0) & (versions["at"] < self.world.t_end)]
        self.con.register("versions", versions)
        rows = self.con.execute(f"""
            select day_of(v.at)::varchar as day, c.customer_id, c.email,
                '+' || c.phone_cc || c.phone_local as phone, c.first_name, c.last_name,
                c.segment, pick({_sql_list(PLANS)}, v.plan) as plan,
                strftime(day_of(v.signup), '%Y-%m-%d') as signup_date,
                case when v.cancel >= 0 then strftime(day_of(v.cancel), '%Y-%m-%d') end
                    as cancel_date,
                c.country, c.language, plain(v.at) as updated_at
            from versions as v join customers as c on c.idx = v.idx
            order by v.at, v.idx, v.kind
        """).fetchall()
        self.con.unregister("versions")
        header = [
            "customer_id",
            "email",
            "phone",
            "first_name",
            "last_name",
            "segment",
            "plan",
            "signup_date",
            "cancel_date",
            "country",
            "language",
            "updated_at",
        ]
        by_day: dict[str, list[str]] = {}
        for row in rows:
            by_day.setdefault(row[0], []).append(
                csv_line(["" if v is None else v for v in row[1:]])
            )
        for day, lines in by_day.items():
            self._write(
                "crm",
                day,
                "customers.csv",
                ("\r\n".join([csv_line(header), *lines]) + "\r\n").encode(),
            )
        self.progress("CRM files written")

    # Truth ------------------------------------------------------------------------------------
    def truth(self, truth_dir: Path) -> None:
        w, t0 = self.world, self.world.t0
        legs, web, surveys = w.service.legs, w.web, w.surveys
        days = w.params.days

        def per_day(times: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
            times = times if mask is None else times[mask]
            return np.bincount(((times - t0) // DAY).astype(np.int64), minlength=days)[:days]

        pop = w.population
        queued = (legs["queued"] >= 0) & np.isin(legs["channel"], (0, 1))
        first_event = np.r_[True, web["session"][1:] != web["session"][:-1]]
        columns = {
            "day": [str(w.params.start + np.timedelta64(d, "D")) for d in range(days)],
            "contacts": per_day(legs["initiated"]),
            **{
                f"contacts_{name}": per_day(legs["initiated"], legs["channel"] == i)
                for i, name in enumerate(CHANNELS)
            },
            "queued_voice_chat": per_day(legs["initiated"], queued),
            "abandoned": per_day(legs["initiated"], queued & (legs["disconnect"] == 4)),
            "dropped": per_day(legs["initiated"], legs["disconnect"] == SYSTEM_DROP),
            "answered_without_queue": per_day(
                legs["initiated"],
                (legs["queued"] < 0) & (legs["answered"] >= 0) & np.isin(legs["channel"], (0, 1)),
            ),
            "repeat_contacts": per_day(legs["initiated"], legs["attempt"] > 0),
            "issues_started": per_day(
                w.service.issue_start,
                (w.service.issue_start >= t0) & (w.service.issue_start < w.t_end),
            ),
            "web_events": per_day(web["at"]),
            "web_sessions": per_day(web["at"], first_event),
            "survey_responses": per_day(surveys["responded"]),
            "signups": per_day(pop.signup, (pop.signup >= t0) & (pop.signup < w.t_end)),
            "cancellations": per_day(pop.cancel_at, pop.cancel_at >= t0),
        }
        truth_dir.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(columns).to_csv(truth_dir / "daily.csv", index=False, lineterminator="\n")
        # the changes planted from their date on (params.changes)
        pd.DataFrame(
            list(w.params.changes), columns=["change_id", "kind", "change_date", "size"]
        ).to_csv(truth_dir / "changes.csv", index=False, lineterminator="\n")
        # the themes each written verbatim was made of (space-separated; empty: none)
        pd.DataFrame(self.planted_themes, columns=["response_id", "language", "themes"]).to_csv(
            truth_dir / "verbatim_themes.csv", index=False, lineterminator="\n"
        )
        summary = {
            "params": w.params.to_json(),
            "customers": pop.size,
            "prospects": pop.prospects,
            "issues": len(w.service.issue_customer),
            "issues_resolved": int(w.service.issue_resolved.sum()),
            "surveys_sent": w.surveys_sent,
            "survey_responses": len(surveys["responded"]),
            "dirt": self.dirt.counts,
            "kept_out_by_rule": {
                f"{source}/{rule}": n
                for (source, rule), n in sorted(self.dirt.expected_kept_out().items())
            },
            "files": sorted(str(p.relative_to(self.out)) for p in self.files),
        }
        (truth_dir / "summary.json").write_text(
            json.dumps(summary, indent=2, sort_keys=True) + "\n"
        )
