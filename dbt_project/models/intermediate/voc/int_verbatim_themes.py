"""One row per survey response x theme its verbatim raises, with the rule that tagged it.

The rules are the seeds voc_theme_rules, voc_negations and voc_languages (docs/voc.md); the
matching (normalising, stemming, negation) is orchestration/transform/verbatims.py, measured
against hand-labelled verbatims in tests/transform/test_verbatims.py.
"""

import pandas as pd

from orchestration.transform.verbatims import THEME_COLUMNS, tag_themes
from orchestration.transform.voc_model import read


def model(dbt, session):
    dbt.config(materialized="table")
    responses, seeds = read(
        dbt.ref("int_survey_responses_identified"),
        {
            "voc_languages": dbt.ref("voc_languages"),
            "voc_theme_rules": dbt.ref("voc_theme_rules"),
            "voc_negations": dbt.ref("voc_negations"),
        },
    )
    themes = tag_themes(responses, seeds)
    frame = pd.DataFrame(themes, columns=THEME_COLUMNS)
    return frame.astype("string")
