"""Every knob of the simulator, with its default and meaning (docs/sources.md, "Simulator
parameters")."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

PERSONAS = ("price_sensitive", "digital_first", "high_value", "phone_first")
LANGUAGES = ("en", "lv", "ru", "lt", "hy", "zh")
REASONS = ("billing", "delivery", "technical", "account", "cancellation", "sales_question")
PLANS = ("basic", "standard", "premium")


@dataclass(frozen=True)
class SimulationParams:
    """Parameters of one simulated sample. Rates are per customer per day unless noted."""

    customers: int = 1000
    days: int = 28
    start: dt.date = dt.date(2026, 9, 1)
    seed: int = 42
    dirty_rate: float = (
        0.002  # share of each source's records made dirty (over its kinds); 0 = clean
    )
    first_customer: int = 1  # number of the first customer (C0000001); shards start later

    # Population
    persona_mix: tuple[float, ...] = (0.30, 0.35, 0.15, 0.20)  # in PERSONAS order
    language_mix: tuple[float, ...] = (0.40, 0.20, 0.15, 0.12, 0.07, 0.06)  # in LANGUAGES order
    existing_share: float = 0.6  # customers signed up before the first day
    prospects_per_customer: float = 0.5  # visitors who never buy (journey breaks)
    max_devices: int = 3  # each customer browses from 1..max_devices cookies
    shared_device_share: float = 0.01  # customers whose device is also used by another customer
    plan_change_share: float = 0.08  # customers whose segment or plan changes once in the period

    # Web
    web_sessions_per_day: tuple[float, ...] = (0.10, 0.20, 0.12, 0.03)  # by persona
    login_share: float = 0.6  # sessions of signed-up customers that log in
    events_per_session: float = 5.0  # mean page views/events per session
    help_before_contact_share: tuple[float, ...] = (
        0.3,
        0.5,
        0.2,
        0.1,
    )  # failed self-help, by persona

    # Service issues and contacts
    issues_per_day: tuple[float, ...] = (0.012, 0.008, 0.015, 0.02)  # by persona
    prospect_sales_call_share: float = 0.05  # prospects who phone with a sales question
    # How new issues spread over the week, Monday first (with repeat contacts, a weekend day
    # carries 20-40 % of a weekday's contacts).
    weekday_weights: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0, 1.0, 0.2, 0.12)
    self_service_first: tuple[float, ...] = (0.5, 0.7, 0.3, 0.15)  # bot/IVR first, by persona
    containment: tuple[float, ...] = (0.35, 0.5, 0.25, 0.45, 0.05, 0.3)  # by reason
    channel_mix: tuple[tuple[float, ...], ...] = (  # voice, chat, email by persona
        (0.45, 0.35, 0.20),
        (0.20, 0.55, 0.25),
        (0.60, 0.25, 0.15),
        (0.85, 0.05, 0.10),
    )
    mean_queue_wait_seconds: tuple[float, float] = (25.0, 18.0)  # voice, chat
    mean_patience_seconds: tuple[float, ...] = (240.0, 180.0, 300.0, 360.0)  # by persona
    agents: int = 40
    resolution_by_reason: tuple[float, ...] = (0.80, 0.75, 0.60, 0.85, 0.90, 0.90)
    email_resolution_factor: float = 0.75  # e-mails resolve less often than calls and chats
    transfer_share: float = 0.08  # answered voice/chat legs transferred to a second queue
    zero_wait_share: float = 0.35  # answered legs a free agent took at once (no queued_at)
    system_drop_share: float = 0.01  # queued legs the system ends (disconnect_reason 'system')
    callback_share: float = 0.3  # voice callers offered a callback when the wait is long
    callback_wait_seconds: float = 120.0  # wait above which a callback is offered
    email_unanswered_share: float = 0.07
    email_median_reply_hours: float = 6.0
    retry_after_abandon_share: float = 0.6  # abandoners who try again
    mean_repeat_gap_days: float = 1.5  # unresolved issues come back after this long, on average
    channel_switch_share: float = 0.4  # repeat contacts that use another channel
    max_attempts: int = 4

    # Churn
    churn_per_day: float = 0.0008  # base cancellation hazard of an active customer
    churn_per_unresolved: float = 1.5  # hazard multiplier added per unresolved issue

    # Surveys
    post_contact_response_rate: float = 0.18
    post_contact_nps_share: float = 0.5  # post-contact responses that also answer NPS (tNPS)
    relationship_survey_every_days: int = 30
    relationship_response_rate: float = 0.15
    verbatim_share: float = 0.6  # responses that leave a comment

    # Changes the centre made, planted from their date on: (id, kind, date, size). kind
    # bot_containment: bot sessions are contained `size` more often (absolute); queue_wait_voice:
    # voice queue waits are (1 + size) times as long (a staffing cut); placebo: nothing changes.
    # seeds/change_log.csv logs the same three for the demo (docs/changes.md).
    changes: tuple[tuple[str, str, str, float], ...] = (
        ("C1", "bot_containment", "2026-09-15", 0.2),
        ("C2", "queue_wait_voice", "2026-09-15", 1.5),
        ("P1", "placebo", "2026-09-12", 0.0),
    )
    extra: dict = field(default_factory=dict)  # free-form notes kept in truth/params.json

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        data["start"] = self.start.isoformat()
        return data

    @property
    def end(self) -> dt.date:
        """The day after the last simulated day."""
        return self.start + dt.timedelta(days=self.days)
