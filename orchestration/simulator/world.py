"""Assemble one simulated world: population, service contacts, churn, web and surveys."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from orchestration.simulator.params import REASONS, SimulationParams
from orchestration.simulator.population import Population, build_population
from orchestration.simulator.service import (
    CALLBACK,
    VOICE,
    Legs,
    Service,
    apply_churn,
    simulate_service,
)
from orchestration.simulator.surveys import simulate_surveys
from orchestration.simulator.web import help_visits, simulate_web


@dataclass
class World:
    params: SimulationParams
    t0: int
    t_end: int
    population: Population
    service: Service
    web: dict[str, np.ndarray]
    surveys: dict[str, np.ndarray]
    surveys_sent: int


def epoch(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _drop_after_cancel(service: Service, pop: Population) -> None:
    legs = service.legs
    cust = legs["customer"]
    cancel = np.where(cust >= 0, pop.cancel_at[np.maximum(cust, 0)], -1)
    keep = (cancel < 0) | (legs["initiated"] < cancel)
    service.legs = {name: values[keep] for name, values in legs.items()}


def _add_cancellation_calls(rng, pop: Population, service: Service) -> None:
    """Half of the leavers phone to cancel; the rest cancel on the web (see web.py)."""
    leavers = np.flatnonzero((pop.cancel_at >= 0) & (rng.random(pop.size) < 0.5))
    n = len(leavers)
    if n == 0:
        return
    legs = Legs()
    legs.count = int(service.legs["number"].max()) + 1 if len(service.legs["number"]) else 0
    start = pop.cancel_at[leavers] - 1200
    queued = start + 40
    wait = rng.exponential(40, size=n).astype(np.int64)
    answered = queued + wait
    ended = answered + rng.integers(180, 600, size=n)
    issue = np.arange(len(service.issue_customer), len(service.issue_customer) + n)
    legs.add(
        n,
        channel=VOICE,
        initiation=0,
        issue=issue,
        customer=leavers,
        ivr_outcome=2,
        reason=REASONS.index("cancellation"),
        agent=rng.integers(0, len(service.agent_skill), n),
        initiated=start,
        queued=queued,
        answered=answered,
        ended=ended,
        acw_ended=ended + 60,
        hold=0,
        disconnect=1,
        disposition=1,
        attempt=0,
        wait=wait,
    )
    extra = legs.table()
    service.legs = {
        name: np.concatenate([service.legs[name], extra[name]]) for name in service.legs
    }
    service.issue_customer = np.concatenate([service.issue_customer, leavers])
    service.issue_reason = np.concatenate(
        [service.issue_reason, np.full(n, REASONS.index("cancellation"))]
    )
    service.issue_start = np.concatenate([service.issue_start, start])
    service.issue_resolved = np.concatenate([service.issue_resolved, np.ones(n, bool)])


def build_world(p: SimulationParams) -> World:
    rng = np.random.default_rng(p.seed)
    t0, t_end = epoch(p.start), epoch(p.end)
    pop = build_population(p, rng, t0)
    service = simulate_service(p, rng, pop, t0, t_end)
    apply_churn(p, rng, pop, service, t0, t_end)
    _drop_after_cancel(service, pop)
    _add_cancellation_calls(rng, pop, service)
    first_legs = service.legs["attempt"] == 0
    issue_ids = np.unique(service.legs["issue"][first_legs & (service.legs["channel"] != CALLBACK)])
    help_customer, help_time, help_reason = help_visits(
        p,
        rng,
        pop,
        service.issue_customer[issue_ids],
        service.issue_start[issue_ids],
        service.issue_reason[issue_ids],
    )
    web = simulate_web(p, rng, pop, t0, t_end, help_customer, help_time, help_reason)
    legs = service.legs
    keep = (legs["initiated"] >= t0) & (legs["initiated"] < t_end)
    service.legs = {name: values[keep] for name, values in legs.items()}
    surveys, surveys_sent = simulate_surveys(p, rng, pop, service, t0, t_end)
    return World(p, t0, t_end, pop, service, web, surveys, surveys_sent)
