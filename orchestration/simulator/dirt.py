"""Dirty data at a given rate: the faults real feeds have, each counted for the truth files.

Every fault is planted beside the intact record, never instead of it, so a dirty sample holds
the same facts as the clean sample of the same seed and the warehouse must publish the same
KPIs from it: a broken or impossible copy is quarantined at load (its row rule is in
`KIND_RULES`), an exact copy and a stale conflicting copy written before the true record are
collapsed by staging and counted in the ledger, a late file and a stray extra column change
nothing, and an unknown CRM id is planted only where the e-mail or phone still identifies the
customer.
"""

from __future__ import annotations

import json
from collections import defaultdict

import numpy as np

from orchestration.simulator.formats import csv_line

# Row flags (one fault per row at most).
CLEAN, UNTYPEABLE, UNKNOWN_ID, MALFORMED, DUPLICATE, CONFLICTING, IMPOSSIBLE = range(7)
OUT_OF_RANGE, WRONG_FIELD_COUNT, BAD_ENCODING, SURVEY_CONFLICTING = 1, 2, 3, 4
KIND_NAMES = {
    "contact_center": {
        UNTYPEABLE: "untypeable_value",
        UNKNOWN_ID: "unknown_customer_id",
        MALFORMED: "malformed_line",
        DUPLICATE: "duplicate_record",
        CONFLICTING: "conflicting_duplicate",
        IMPOSSIBLE: "impossible_timestamps",
    },
    "web": {MALFORMED: "malformed_line", DUPLICATE: "duplicate_record"},
    "survey": {
        OUT_OF_RANGE: "out_of_range_score",
        WRONG_FIELD_COUNT: "wrong_field_count",
        BAD_ENCODING: "bad_encoding",
        SURVEY_CONFLICTING: "conflicting_duplicate",
    },
}
# The row rule that keeps each planted kind out at load (raw.rejected_rows.rule).
KIND_RULES = {
    "contact_center": {
        "untypeable_value": "untypeable_value",
        "malformed_line": "unreadable",
        "impossible_timestamps": "leg_timestamps_out_of_order",
    },
    "web": {"malformed_line": "unreadable"},
    "survey": {
        "out_of_range_score": "score_out_of_range",
        "wrong_field_count": "unreadable",
        "bad_encoding": "unreadable",
    },
}
# Loaded copies the ledger counts: (duplicates_exact, duplicates_conflicting) kinds.
DUPLICATE_KINDS = ({"duplicate_record"}, {"conflicting_duplicate"})


class Dirt:
    def __init__(self, rate: float, seed: int) -> None:
        self.rate = rate
        self.rng = np.random.default_rng([seed, 1])
        self.counts: dict[str, dict[str, int]] = defaultdict(dict)

    def count(self, source: str, kind: str, n: int) -> None:
        self.counts[source][kind] = self.counts[source].get(kind, 0) + n

    def _flags(
        self,
        source: str,
        n: int,
        kinds: tuple[int, ...],
        eligible: dict[int, np.ndarray] | None = None,
    ) -> np.ndarray:
        flags = np.zeros(n, dtype=np.int64)
        if self.rate <= 0 or n == 0:
            return flags
        for kind in kinds:
            free = flags == CLEAN
            if eligible and kind in eligible:
                free &= eligible[kind]
            free = np.flatnonzero(free)
            # the rate is the share of the source's records made dirty, spread over its kinds
            chosen = free[self.rng.random(len(free)) < self.rate / len(kinds)]
            if len(chosen) == 0 and len(free):
                chosen = free[[self.rng.integers(len(free))]]
            flags[chosen] = kind
            self.count(source, KIND_NAMES[source][kind], len(chosen))
        return flags

    def contact_flags(self, legs) -> np.ndarray:
        """Per leg; an unknown CRM id only on a known customer's leg that carries an e-mail or
        phone (so identity still resolves), a timestamp fault only on legs that last."""
        known = (legs["customer"].to_numpy() >= 0) & (legs["channel"].to_numpy() != 4)
        lasting = legs["ended"].to_numpy() > legs["initiated"].to_numpy()
        return self._flags(
            "contact_center",
            len(legs),
            (UNTYPEABLE, UNKNOWN_ID, MALFORMED, DUPLICATE, CONFLICTING, IMPOSSIBLE),
            {UNKNOWN_ID: known, CONFLICTING: lasting, IMPOSSIBLE: lasting},
        )

    def web_flags(self, n: int) -> np.ndarray:
        return self._flags("web", n, (MALFORMED, DUPLICATE))

    def survey_flags(self, n: int) -> np.ndarray:
        return self._flags(
            "survey", n, (OUT_OF_RANGE, WRONG_FIELD_COUNT, BAD_ENCODING, SURVEY_CONFLICTING)
        )

    @staticmethod
    def json_lines(line: str, flag: int) -> list[str]:
        """The lines written for one JSON record: the planted copy (if any) beside the record."""
        if flag == MALFORMED:
            return [line[: len(line) // 2], line]
        if flag == DUPLICATE:
            return [line, line]
        if flag in (UNTYPEABLE, CONFLICTING, IMPOSSIBLE):
            record = json.loads(line)
            if flag == UNTYPEABLE:
                record["hold_seconds"] = "n/a"
            elif flag == CONFLICTING:  # an earlier, in-progress export of the same leg
                record.update(ended_at=None, acw_ended_at=None, disposition=None)
            else:  # start and end swapped: the leg runs backwards
                record["initiated_at"], record["ended_at"] = (
                    record["ended_at"],
                    record["initiated_at"],
                )
            return [json.dumps(record, ensure_ascii=False, separators=(",", ":")), line]
        return [line]

    def expand(self, records: list[tuple[str, int]]) -> list[str]:
        return [out for line, flag in records for out in self.json_lines(line, flag)]

    def late_file(
        self, source: str, files: dict[str, list[tuple[str, int]]]
    ) -> dict[tuple[str, str], list[tuple[str, int]]]:
        """Move some records of an earlier day (with their planted copies) into a late file
        delivered two days later."""
        days = sorted(files)
        if self.rate <= 0 or len(days) < 3:
            return {}
        delivered = days[len(days) // 2]
        earlier = days[days.index(delivered) - 2]
        records = files[earlier]
        moved = np.flatnonzero(self.rng.random(len(records)) < max(self.rate, 0.01))
        if len(moved) == 0:
            moved = np.array([0])
        moved_set = set(moved.tolist())
        files[earlier] = [record for i, record in enumerate(records) if i not in moved_set]
        self.count(source, "late_record", len(moved))
        return {(delivered, f"contacts_late_{earlier}.jsonl.gz"): [records[i] for i in moved]}

    def extra_column_day(self, world, source: str = "web") -> str | None:
        """The day whose file carries a column the contract does not know."""
        if self.rate <= 0 or world.params.days < 3:
            return None
        offset = 1 if source == "web" else 2
        return str(world.params.start + np.timedelta64(offset, "D"))

    @staticmethod
    def survey_rows(flag: int, values: list[str], unknown_contact_id: str) -> list[bytes]:
        """The CSV records written for one response: the planted copy (if any) first."""
        good = csv_line(values).encode()
        if flag == WRONG_FIELD_COUNT:
            return [csv_line(values[:-2]).encode(), good]
        if flag == BAD_ENCODING:
            bad = [*values[:10], "Спасибо за помощь", values[11]]
            return [csv_line(bad).encode("cp1251", errors="replace"), good]
        if flag == OUT_OF_RANGE:  # NPS 11 on a relationship survey, CSAT 0 otherwise
            bad = list(values)
            if values[1] == "relationship":
                bad[7] = "11"
            else:
                bad[8] = "0"
            return [csv_line(bad).encode(), good]
        if flag == SURVEY_CONFLICTING:  # exported before the tool matched the contact
            return [csv_line([*values[:2], unknown_contact_id, *values[3:]]).encode(), good]
        return [good]

    def expected_kept_out(self) -> dict[tuple[str, str], int]:
        """(source, rule) -> rows the loader must keep out."""
        expected: dict[tuple[str, str], int] = defaultdict(int)
        for source, kinds in self.counts.items():
            for kind, n in kinds.items():
                rule = KIND_RULES.get(source, {}).get(kind)
                if rule:
                    expected[(source, rule)] += n
        return dict(expected)

    def expected_rejects(self) -> dict[str, int]:
        """Rows the loader must keep out, per source."""
        totals: dict[str, int] = defaultdict(int)
        for (source, _), n in self.expected_kept_out().items():
            totals[source] += n
        return dict(totals)
