"""One row per survey response x theme its verbatim raises, with the rule that tagged it.

The rules are the seeds voc_theme_rules, voc_negations and voc_languages (docs/voc.md); the
matching (normalising, stemming, negation) is orchestration/transform/verbatims.py, measured
against hand-labelled verbatims in tests/transform/test_verbatims.py. Incremental: a run tags
the responses loaded since the last one, every response when the rules changed
(orchestration/transform/voc_model.py).
"""

from orchestration.transform.verbatims import THEME_COLUMNS, tag_themes
from orchestration.transform.voc_model import read


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="rebuild_keys",
        unique_key="response_id",
        row_id="theme",
    )
    batch = read(
        dbt,
        session,
        dbt.ref("int_survey_responses"),
        {
            "voc_languages": dbt.ref("voc_languages"),
            "voc_theme_rules": dbt.ref("voc_theme_rules"),
            "voc_negations": dbt.ref("voc_negations"),
        },
    )
    return batch.frame(tag_themes(batch.rows, batch.seeds), dict.fromkeys(THEME_COLUMNS, "string"))
