"""Dirty data at a given rate: the faults real feeds have, each counted for the truth files.

Rejected at load: malformed JSON lines, untypeable values, CSV rows with the wrong field count,
bytes that are not UTF-8. Loaded but caught later: duplicates, a late file for an earlier day,
out-of-range scores, unknown identifiers, a stray extra column.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from orchestration.simulator.formats import csv_line

# Row flags (one fault per row at most).
CLEAN, UNTYPEABLE, UNKNOWN_ID, MALFORMED, DUPLICATE = 0, 1, 2, 3, 4
OUT_OF_RANGE, WRONG_FIELD_COUNT, BAD_ENCODING = 1, 2, 3
KIND_NAMES = {
    "contact_center": {
        UNTYPEABLE: "untypeable_value",
        UNKNOWN_ID: "unknown_customer_id",
        MALFORMED: "malformed_line",
        DUPLICATE: "duplicate_record",
    },
    "web": {MALFORMED: "malformed_line", DUPLICATE: "duplicate_record"},
    "survey": {
        OUT_OF_RANGE: "out_of_range_score",
        WRONG_FIELD_COUNT: "wrong_field_count",
        BAD_ENCODING: "bad_encoding",
        4: "unknown_contact_id",
    },
}
REJECTED_KINDS = {"untypeable_value", "malformed_line", "wrong_field_count", "bad_encoding"}


class Dirt:
    def __init__(self, rate: float, seed: int) -> None:
        self.rate = rate
        self.rng = np.random.default_rng([seed, 1])
        self.counts: dict[str, dict[str, int]] = defaultdict(dict)

    def count(self, source: str, kind: str, n: int) -> None:
        self.counts[source][kind] = self.counts[source].get(kind, 0) + n

    def _flags(self, source: str, n: int, kinds: tuple[int, ...]) -> np.ndarray:
        flags = np.zeros(n, dtype=np.int64)
        if self.rate <= 0 or n == 0:
            return flags
        for kind in kinds:
            free = np.flatnonzero(flags == CLEAN)
            chosen = free[self.rng.random(len(free)) < self.rate]
            if len(chosen) == 0 and len(free):
                chosen = free[[self.rng.integers(len(free))]]
            flags[chosen] = kind
            self.count(source, KIND_NAMES[source][kind], len(chosen))
        return flags

    def contact_flags(self, n: int) -> np.ndarray:
        return self._flags("contact_center", n, (UNTYPEABLE, UNKNOWN_ID, MALFORMED, DUPLICATE))

    def web_flags(self, n: int) -> np.ndarray:
        return self._flags("web", n, (MALFORMED, DUPLICATE))

    def survey_flags(self, n: int) -> np.ndarray:
        return self._flags("survey", n, (OUT_OF_RANGE, WRONG_FIELD_COUNT, BAD_ENCODING, 4))

    def apply_to_lines(
        self, source: str, days: np.ndarray, lines: np.ndarray, flags: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Truncate malformed lines; write duplicated records twice, one after the other."""
        lines = lines.astype(object)
        for i in np.flatnonzero(flags == MALFORMED):
            lines[i] = lines[i][: len(lines[i]) // 2]
        repeat = np.where(flags == DUPLICATE, 2, 1)
        return np.repeat(days, repeat), np.repeat(lines, repeat)

    def late_file(
        self, source: str, files: dict[str, list[str]]
    ) -> dict[tuple[str, str], list[str]]:
        """Move some records of an earlier day into a late file delivered two days later."""
        days = sorted(files)
        if self.rate <= 0 or len(days) < 3:
            return {}
        delivered = days[len(days) // 2]
        earlier = days[days.index(delivered) - 2]
        lines = files[earlier]
        moved = np.flatnonzero(self.rng.random(len(lines)) < max(self.rate, 0.01))
        if len(moved) == 0:
            moved = np.array([0])
        moved_set = set(moved.tolist())
        files[earlier] = [line for i, line in enumerate(lines) if i not in moved_set]
        self.count(source, "late_record", len(moved))
        return {(delivered, f"contacts_late_{earlier}.jsonl"): [lines[i] for i in moved]}

    def extra_column_day(self, world, source: str = "web") -> str | None:
        """The day whose file carries a column the contract does not know."""
        if self.rate <= 0 or world.params.days < 3:
            return None
        offset = 1 if source == "web" else 2
        return str(world.params.start + np.timedelta64(offset, "D"))

    def survey_row(self, flag: int, values: list[str]) -> bytes:
        if flag == WRONG_FIELD_COUNT:
            return csv_line(values[:-2]).encode()
        if flag == BAD_ENCODING:
            values = [*values[:10], "Спасибо за помощь", values[11]]
            return csv_line(values).encode("cp1251", errors="replace")
        return csv_line(values).encode()

    def expected_rejects(self) -> dict[str, int]:
        """Rows the loader must reject, per source."""
        return {
            source: sum(n for kind, n in kinds.items() if kind in REJECTED_KINDS)
            for source, kinds in self.counts.items()
        }
