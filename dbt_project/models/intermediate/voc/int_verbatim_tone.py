"""One row per survey response with a verbatim: its tone from its own words (positive,
negative or neutral), by the lexicon in the seed voc_tone_words (negations count the other
way), beside the score-based emotion of fct_survey_responses.
"""

import pandas as pd

from orchestration.transform.verbatims import TONE_COLUMNS, tag_tone
from orchestration.transform.voc_model import read


def model(dbt, session):
    dbt.config(materialized="table")
    responses, seeds = read(
        dbt.ref("int_survey_responses_identified"),
        {
            "voc_languages": dbt.ref("voc_languages"),
            "voc_tone_words": dbt.ref("voc_tone_words"),
            "voc_negations": dbt.ref("voc_negations"),
        },
    )
    tones = tag_tone(responses, seeds)
    frame = pd.DataFrame(tones, columns=TONE_COLUMNS)
    return frame.astype(
        {
            "response_id": "string",
            "text_tone": "string",
            "positive_words": "int64",
            "negative_words": "int64",
            "tone_words": "string",
        }
    )
