"""Post-contact CSAT/CES and relationship NPS surveys, with scores driven by the experience."""

from __future__ import annotations

import numpy as np

from orchestration.simulator.params import PERSONAS, REASONS, SimulationParams
from orchestration.simulator.population import DAY, Population
from orchestration.simulator.service import BOT, CHANNELS, Service
from orchestration.simulator.texts import THEMES

POST_CONTACT, RELATIONSHIP = 0, 1
LONG_WAIT_SECONDS = 120
# how much more (or less) likely to recommend after a contact in each channel, on 0-10
TNPS_CHANNEL_EFFECT = {"voice": 0.0, "chat": 0.6, "email": -0.9, "callback": -0.3, "bot": 0.0}
TNPS_STREAM = 11  # the transactional-NPS draws' own random stream (dirt uses 1, the writer 2)
THEME_STREAM = 12  # the verbatim themes' own stream


def _transactional_nps(
    p: SimulationParams,
    channel: np.ndarray,
    wait: np.ndarray,
    unresolved: np.ndarray,
    repeat: np.ndarray,
) -> np.ndarray:
    """NPS (0-10) asked on a share of post-contact responses, -1 where not asked: driven by the
    contact's wait, resolution, repeat and channel. Drawn from a stream of its own, so the rest
    of the world is the same with it or without it."""
    rng = np.random.default_rng([p.seed, TNPS_STREAM])
    n = len(channel)
    asked = rng.random(n) < p.post_contact_nps_share
    effect = np.array([TNPS_CHANNEL_EFFECT[c] for c in CHANNELS])[channel]
    score = (
        8.3
        - 1.0 * (wait > LONG_WAIT_SECONDS)
        - 2.4 * unresolved
        - 0.8 * repeat
        + effect
        + rng.normal(0, 1.3, size=n)
    )
    return np.where(asked, np.clip(np.rint(score), 0, 10).astype(np.int64), -1)


def _planted_themes(p: SimulationParams, out: dict, abandoned: np.ndarray) -> np.ndarray:
    """The themes (a bit mask over texts.THEMES) each response's verbatim raises, driven by what
    happened: long waits raise long_wait, an unresolved billing contact billing_error, a
    cancellation contact cancellation_intent, a good or bad score a helpful or rude agent, ...
    Drawn from a stream of their own, so the rest of the world is the same."""
    rng = np.random.default_rng([p.seed, THEME_STREAM])
    n = len(out["survey_type"])
    post = out["survey_type"] == POST_CONTACT
    reason = np.array(REASONS)[out["reason"]]
    unresolved = out["unresolved"].astype(bool)
    csat, nps = out["csat"], out["nps"]
    chance = {
        "long_wait": np.where(post & (out["wait"] > LONG_WAIT_SECONDS), 0.7, 0.0)
        + np.where(~post & abandoned, 0.3, 0.0),
        "billing_error": np.where(reason == "billing", np.where(unresolved, 0.6, 0.15), 0.0),
        "delivery_delay": np.where(reason == "delivery", np.where(unresolved, 0.6, 0.2), 0.0),
        "app_website_problem": np.where(
            reason == "technical", np.where(unresolved, 0.6, 0.25), 0.0
        ),
        "cancellation_intent": np.where(reason == "cancellation", 1.0, 0.0)
        + np.where(~post & unresolved, 0.15, 0.0),
        "price": np.where(reason == "sales_question", 0.4, 0.0)
        + np.where(~post & (nps >= 0) & (nps <= 6), 0.2, 0.0),
        "rude_agent": np.where(post & (csat >= 1) & (csat <= 2), 0.25, 0.0),
        "helpful_agent": np.where(post & (csat >= 4), 0.4, 0.0),
    }
    mask = np.zeros(n, dtype=np.int64)
    for bit, theme in enumerate(THEMES):
        mask |= (rng.random(n) < chance[theme]).astype(np.int64) << bit
    return mask


def simulate_surveys(
    p: SimulationParams, rng, pop: Population, service: Service, t0: int, t_end: int
) -> tuple[dict[str, np.ndarray], int]:
    """Responses (one row each) and the number of invitations sent in the period."""
    legs = service.legs
    handled = (legs["disposition"] >= 1) & (legs["channel"] != BOT)
    idx = np.flatnonzero(handled & (rng.random(len(handled)) < p.post_contact_response_rate))
    n = len(idx)
    unresolved = legs["disposition"][idx] == 2
    wait = legs["wait"][idx]
    repeat = legs["attempt"][idx] > 0
    csat = (
        4.5
        - 0.9 * (wait > LONG_WAIT_SECONDS)
        - 0.5 * (wait > 300)
        - 1.4 * unresolved
        - 0.4 * repeat
        + rng.normal(0, 0.6, size=n)
    )
    ces = (
        6.0
        - 1.0 * (wait > LONG_WAIT_SECONDS)
        - 1.5 * unresolved
        - 0.7 * repeat
        + rng.normal(0, 0.9, size=n)
    )
    tnps = _transactional_nps(p, legs["channel"][idx], wait, unresolved, repeat)
    ended = legs["ended"][idx]
    sent = ended + 600
    responded = sent + (rng.lognormal(np.log(2 * 3600), 1.0, size=n)).astype(np.int64)

    # Relationship NPS: every customer active at a block's send time is asked once per block.
    known = service.issue_customer >= 0
    unresolved_count = np.bincount(
        service.issue_customer[known & ~service.issue_resolved], minlength=pop.size
    )
    abandons = np.bincount(
        legs["customer"][(legs["disconnect"] == 4) & (legs["customer"] >= 0)], minlength=pop.size
    )
    blocks = max(1, -(-p.days // p.relationship_survey_every_days))
    cust = np.tile(np.arange(pop.size), blocks)
    block = np.repeat(np.arange(blocks), pop.size)
    r_sent = (
        t0
        + block * p.relationship_survey_every_days * DAY
        + rng.integers(0, p.relationship_survey_every_days * DAY, size=len(cust))
    )
    in_window = (r_sent >= t0) & (r_sent < t_end)
    active = (
        in_window
        & (pop.signup[cust] < r_sent)
        & ((pop.cancel_at[cust] < 0) | (pop.cancel_at[cust] > r_sent))
    )
    relationship_sent = int(active.sum())
    answers = active & (rng.random(len(cust)) < p.relationship_response_rate)
    cust, r_sent = cust[answers], r_sent[answers]
    m = len(cust)
    nps = (
        8.6
        - 1.6 * unresolved_count[cust]
        - 0.8 * abandons[cust]
        + 0.5 * (pop.persona[cust] == PERSONAS.index("high_value"))
        + rng.normal(0, 1.3, size=m)
    )
    r_responded = r_sent + rng.lognormal(np.log(DAY / 2), 0.8, size=m).astype(np.int64)

    customer = np.concatenate([legs["customer"][idx], cust])
    out = {
        "survey_type": np.concatenate([np.full(n, POST_CONTACT), np.full(m, RELATIONSHIP)]),
        "contact": np.concatenate([legs["number"][idx], np.full(m, -1)]),
        "customer": customer,
        "sent": np.concatenate([sent, r_sent]),
        "responded": np.concatenate([responded, r_responded]),
        "nps": np.concatenate([tnps, np.clip(np.rint(nps), 0, 10).astype(np.int64)]),
        "csat": np.concatenate([np.clip(np.rint(csat), 1, 5).astype(np.int64), np.full(m, -1)]),
        "ces": np.concatenate([np.clip(np.rint(ces), 1, 7).astype(np.int64), np.full(m, -1)]),
        "reason": np.concatenate([legs["reason"][idx], rng.integers(0, 4, size=m)]),
        "wait": np.concatenate([wait, np.full(m, -1)]),
        "unresolved": np.concatenate([unresolved, unresolved_count[cust] > 0]),
        "has_verbatim": rng.random(n + m) < p.verbatim_share,
        "pick": rng.integers(0, 6, size=n + m),
    }
    out["themes"] = _planted_themes(p, out, abandons[customer].astype(bool))
    keep = (out["responded"] >= t0) & (out["responded"] < t_end)
    order = np.argsort(out["responded"][keep], kind="stable")
    responses = {name: values[keep][order] for name, values in out.items()}
    sent = int(handled.sum()) + relationship_sent
    return responses, sent
