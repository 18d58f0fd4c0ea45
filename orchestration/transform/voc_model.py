"""What the dbt Python models of verbatims read: the responses with a verbatim, and the seeds.

dbt finds a Python model's parents by the literal `dbt.ref("...")` calls in the model's own
file, so the models call `dbt.ref` and hand the relations over.
"""

from __future__ import annotations


def read(responses, seeds: dict) -> tuple[list[tuple], dict[str, list[dict]]]:
    """(response_id, verbatim, language_code) of responses with a verbatim, and each seed's
    rows as dicts (empty cells None)."""
    rows = (
        responses.filter("verbatim is not null and trim(verbatim) <> ''")
        .project("response_id, verbatim, language_code")
        .fetchall()
    )
    tables = {
        name: relation.df().astype(object).where(lambda f: f.notna(), None).to_dict("records")
        for name, relation in seeds.items()
    }
    return rows, tables
