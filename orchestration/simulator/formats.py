"""Small text formats shared by the simulator's writers."""

from __future__ import annotations

import csv
import io


def csv_line(values: list) -> str:
    """One CSV record as Excel/survey tools quote it, without the line end."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)  # quotes fields with newlines
    return buffer.getvalue()[:-2]
