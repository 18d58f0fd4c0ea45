"""What the dbt Python models of verbatims tag on a run, and the frame they return.

Both models are incremental (strategy `rebuild_keys`, key `response_id`): a night tags the
responses loaded since the model's last run, not every verbatim of the history. Each row keeps
the version of the rules that tagged it (`_rules_hash`: a hash of the rule seeds and of the
matching code); when the rules or the code changed since, every response is tagged again. A
response tagged again that no longer yields a row (its verbatim or its last theme gone) is
returned as a marker row (the model's `row_id` column null): rebuild_keys deletes its old rows
and inserts nothing for it.

dbt finds a Python model's parents by the literal `dbt.ref("...")` calls in the model's own
file, so the models call `dbt.ref` and hand the relations over.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from orchestration.transform import verbatims


@dataclass(frozen=True)
class Batch:
    """The responses a run tags: (response_id, verbatim, language_code) of those with a
    verbatim, and the id of every response it tags again (with a verbatim or not)."""

    rows: list[tuple]
    response_ids: list[str]
    seeds: dict[str, list[dict]]
    rules_hash: str
    replaces_rows: bool  # the model's table exists: its rows of response_ids are replaced

    def frame(self, rows: list[dict], columns: dict[str, str]) -> pd.DataFrame:
        """The model's result: `rows` (dicts of `columns`, name -> pandas dtype), a marker row
        for each response tagged again without a row (when rows are replaced), and the
        bookkeeping columns."""
        frame = pd.DataFrame(rows, columns=list(columns))
        if self.replaces_rows:
            tagged = set(frame["response_id"])
            markers = [r for r in self.response_ids if r not in tagged]
            frame = pd.concat([frame, pd.DataFrame({"response_id": markers})], ignore_index=True)
        frame = frame.astype(columns)
        frame["_rules_hash"] = self.rules_hash
        frame["_batch_at"] = pd.Timestamp(dt.datetime.now(dt.UTC).replace(tzinfo=None))
        return frame


def rules_hash(seeds: dict[str, list[dict]]) -> str:
    """A hash of the rule seeds' rows and of the matching code: what the tags depend on."""
    digest = hashlib.sha256(json.dumps(seeds, sort_keys=True, default=str).encode())
    digest.update(Path(verbatims.__file__).read_bytes())
    return digest.hexdigest()[:16]


def read(dbt, session, responses, seeds: dict) -> Batch:
    """The responses of `responses` (a relation with response_id, verbatim, language_code and
    _loaded_at) this run of the model `dbt` tags, and each seed's rows as dicts (empty cells
    None)."""
    tables = {
        name: relation.df().astype(object).where(lambda f: f.notna(), None).to_dict("records")
        for name, relation in seeds.items()
    }
    version = rules_hash(tables)
    if dbt.is_incremental:
        [(built_at, versions)] = session.sql(
            f"select max(_batch_at), list(distinct _rules_hash) from {dbt.this}"
        ).fetchall()
        if built_at is not None and versions == [version]:  # else: every response again
            lookback = float(dbt.config.get("incremental_lookback_hours") or 0)
            after = built_at - dt.timedelta(hours=lookback)
            responses = responses.filter(f"_loaded_at > timestamp '{after.isoformat(' ')}'")
    response_ids = [r[0] for r in responses.project("response_id").fetchall()]
    rows = (
        responses.filter("verbatim is not null and trim(verbatim) <> ''")
        .project("response_id, verbatim, language_code")
        .fetchall()
    )
    return Batch(rows, response_ids, tables, version, bool(dbt.is_incremental))
