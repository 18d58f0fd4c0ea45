"""Customers, prospects and their devices."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.simulator.params import LANGUAGES, PERSONAS, SimulationParams
from orchestration.simulator.texts import COUNTRIES

DAY = 86_400
PLAN_MIX = np.array(  # basic, standard, premium by persona
    [[0.70, 0.25, 0.05], [0.30, 0.50, 0.20], [0.05, 0.35, 0.60], [0.50, 0.40, 0.10]]
)


@dataclass
class Population:
    persona: np.ndarray  # int index into PERSONAS
    language: np.ndarray  # int index into LANGUAGES
    name_pick: np.ndarray
    plan: np.ndarray  # int index into PLANS
    signup: np.ndarray  # epoch seconds
    phone_cc: np.ndarray  # str
    phone_local: np.ndarray  # int, 8 digits
    country: np.ndarray  # str
    device_offset: np.ndarray  # first cookie number of each customer
    devices: np.ndarray  # number of cookies of each customer
    shared_with: np.ndarray  # -1, or the customer whose device 0 this customer also uses
    prospects: int
    prospect_cookie_offset: int
    cookie_device_type: np.ndarray  # per cookie number: 0 desktop, 1 mobile, 2 tablet
    plan_change_at: np.ndarray  # epoch seconds, -1 = no change
    new_plan: np.ndarray
    cancel_at: np.ndarray  # epoch seconds, -1 = active (filled after service simulation)

    @property
    def size(self) -> int:
        return len(self.persona)

    def cookie_of(self, customer: np.ndarray, device: np.ndarray) -> np.ndarray:
        """Cookie number of a customer's device; device 0 of a sharing customer is shared."""
        cookie = self.device_offset[customer] + device
        shared = (device == 0) & (self.shared_with[customer] >= 0)
        cookie[shared] = self.device_offset[self.shared_with[customer[shared]]]
        return cookie


def build_population(p: SimulationParams, rng: np.random.Generator, t0: int) -> Population:
    n = p.customers
    persona = rng.choice(len(PERSONAS), size=n, p=p.persona_mix)
    language = rng.choice(len(LANGUAGES), size=n, p=p.language_mix)
    plan = (rng.random(n)[:, None] > PLAN_MIX[persona].cumsum(axis=1)).sum(axis=1)
    existing = rng.random(n) < p.existing_share
    signup_day = np.where(
        existing, -rng.integers(30, 1500, size=n), rng.integers(0, max(p.days, 1), size=n)
    )
    signup = t0 + signup_day * DAY + rng.integers(8 * 3600, 22 * 3600, size=n)
    countries = np.array([COUNTRIES[lang][0] for lang in LANGUAGES])
    codes = np.array([COUNTRIES[lang][1] for lang in LANGUAGES])
    devices = rng.integers(1, p.max_devices + 1, size=n)
    device_offset = np.concatenate([[0], np.cumsum(devices)[:-1]])
    shared_with = np.full(n, -1)
    sharers = np.flatnonzero(rng.random(n) < p.shared_device_share)
    if n > 1 and len(sharers):
        partner = (sharers + rng.integers(1, n, size=len(sharers))) % n
        shared_with[sharers] = partner
    prospects = round(n * p.prospects_per_customer)
    total_cookies = int(devices.sum()) + prospects
    changes = rng.random(n) < p.plan_change_share
    plan_change_at = np.where(changes, t0 + rng.integers(0, max(p.days, 1) * DAY, size=n), -1)
    plan_change_at = np.where(plan_change_at > signup, plan_change_at, -1)
    new_plan = (plan + rng.integers(1, 3, size=n)) % 3
    return Population(
        persona=persona,
        language=language,
        name_pick=rng.integers(0, 6, size=n),
        plan=plan,
        signup=signup,
        phone_cc=codes[language],
        phone_local=rng.integers(20_000_000, 30_000_000, size=n),
        country=countries[language],
        device_offset=device_offset,
        devices=devices,
        shared_with=shared_with,
        prospects=prospects,
        prospect_cookie_offset=int(devices.sum()),
        cookie_device_type=rng.choice(3, size=total_cookies, p=[0.45, 0.48, 0.07]),
        plan_change_at=plan_change_at,
        new_plan=new_plan,
        cancel_at=np.full(n, -1),
    )
