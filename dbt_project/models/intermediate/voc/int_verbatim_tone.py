"""One row per survey response with a verbatim: its tone from its own words (positive,
negative or neutral), by the lexicon in the seed voc_tone_words (negations count the other
way), beside the score-based emotion of fct_survey_responses. Incremental as
int_verbatim_themes (orchestration/transform/voc_model.py).
"""

from orchestration.transform.verbatims import TONE_COLUMNS, tag_tone
from orchestration.transform.voc_model import read


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="rebuild_keys",
        unique_key="response_id",
        row_id="text_tone",
    )
    batch = read(
        dbt,
        session,
        dbt.ref("int_survey_responses"),
        {
            "voc_languages": dbt.ref("voc_languages"),
            "voc_tone_words": dbt.ref("voc_tone_words"),
            "voc_negations": dbt.ref("voc_negations"),
        },
    )
    return batch.frame(tag_tone(batch.rows, batch.seeds), TONE_COLUMNS)
