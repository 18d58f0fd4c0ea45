"""Service issues and the contact legs they cause: self-service, queues, agents, repeats, churn."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from orchestration.simulator.params import PERSONAS, REASONS, SimulationParams
from orchestration.simulator.population import DAY, Population

CHANNELS = ("voice", "chat", "email", "callback", "bot")
VOICE, CHAT, EMAIL, CALLBACK, BOT = range(5)
INITIATION = ("inbound", "transfer", "callback", "api")
IVR_OUTCOMES = ("", "contained", "transferred", "abandoned")
DISCONNECTS = (
    "",
    "customer_disconnect",
    "agent_disconnect",
    "transfer",
    "abandoned",
    "contained",
    "callback_requested",
    "system",
)
SYSTEM_DROP = DISCONNECTS.index("system")
DISPOSITIONS = ("", "resolved", "unresolved")
REASON_WEIGHTS = np.array([0.25, 0.20, 0.25, 0.15, 0.03, 0.12])
CANCELLATION = REASONS.index("cancellation")
SALES = REASONS.index("sales_question")
BOT_FIRST = (PERSONAS.index("price_sensitive"), PERSONAS.index("digital_first"))
CONTACT_HOURS = np.array(
    [0, 0, 0, 0, 0, 0, 1, 3, 8, 10, 10, 9, 8, 8, 9, 9, 8, 7, 6, 5, 4, 3, 1, 0], dtype=float
)
LEG_FIELDS = (
    "initial",
    "previous",
    "channel",
    "initiation",
    "issue",
    "customer",
    "ivr_outcome",
    "reason",
    "agent",
    "initiated",
    "queued",
    "answered",
    "ended",
    "acw_ended",
    "hold",
    "disconnect",
    "disposition",
    "first_response",
    "attempt",
    "wait",
    "ivr_self_service",  # 1: the caller tried a self-service option of the IVR first
)


def contact_times(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """Seconds since the day start, following the contact centre's hourly arrival curve."""
    hours = rng.choice(24, size=len(days), p=CONTACT_HOURS / CONTACT_HOURS.sum())
    return hours * 3600 + rng.integers(0, 3600, size=len(days))


class Legs:
    """Collects contact legs as arrays; contact numbers are assigned in creation order."""

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []
        self.count = 0

    def add(self, n: int, **fields: np.ndarray | int) -> np.ndarray:
        numbers = np.arange(self.count, self.count + n)
        self.count += n
        part = {"number": numbers}
        for name in LEG_FIELDS:
            value = fields.get(name, -1)
            part[name] = np.broadcast_to(np.asarray(value), (n,)).astype(np.int64)
        self.parts.append(part)
        return numbers

    def table(self) -> dict[str, np.ndarray]:
        columns = {name: np.concatenate([p[name] for p in self.parts]) for name in self.parts[0]}
        order = np.argsort(columns["number"], kind="stable")
        return {name: values[order] for name, values in columns.items()}


@dataclass
class Service:
    legs: dict[str, np.ndarray]
    issue_customer: np.ndarray  # >= 0 customer, < 0 prospect (-1 - prospect index)
    issue_reason: np.ndarray
    issue_start: np.ndarray
    issue_resolved: np.ndarray  # bool
    agent_skill: np.ndarray
    agent_speed: np.ndarray


def _weekday_days(
    p: SimulationParams, t0: int, first: np.ndarray, span: np.ndarray, u
) -> np.ndarray:
    """Days first .. first + span - 1 (offsets from t0), drawn with the weekday weights: `u`
    uniform in [0, 1) picks a day in proportion to its weekday's weight."""
    total_days = int((first + span).max()) if len(first) else 0
    weekday = (np.arange(total_days + 1) + (t0 // DAY + 3)) % 7  # 1970-01-01 was a Thursday
    weights = np.asarray(p.weekday_weights)[weekday]
    cumulative = np.concatenate([[0.0], np.cumsum(weights)])
    low, high = cumulative[first], cumulative[first + span]
    return np.searchsorted(cumulative, low + u * (high - low), side="right") - 1


def _issues(p: SimulationParams, rng, pop: Population, t0: int, t_end: int):
    active_from = np.maximum(pop.signup, t0)
    active_days = np.clip((t_end - active_from) / DAY, 0, None)
    rate = np.asarray(p.issues_per_day)[pop.persona] * active_days
    counts = rng.poisson(rate)
    customer = np.repeat(np.arange(pop.size), counts)
    start_day = (active_from[customer] - t0) // DAY
    span = np.maximum((t_end - t0) // DAY - start_day, 1)
    day = _weekday_days(p, t0, start_day, span, rng.random(len(customer)))
    start = t0 + day * DAY + contact_times(rng, day)
    start = np.maximum(start, active_from[customer] + 3600)
    weights = REASON_WEIGHTS.copy()
    weights[SALES] = 0.04  # customers rarely ask sales questions; prospects do
    reason = rng.choice(len(REASONS), size=len(customer), p=weights / weights.sum())
    callers = np.flatnonzero(rng.random(pop.prospects) < p.prospect_sales_call_share)
    p_day = _weekday_days(
        p,
        t0,
        np.zeros(len(callers), dtype=np.int64),
        np.full(len(callers), max(p.days, 1)),
        rng.random(len(callers)),
    )
    p_start = t0 + p_day * DAY + contact_times(rng, p_day)
    customer = np.concatenate([customer, -1 - callers])
    reason = np.concatenate([reason, np.full(len(callers), SALES)])
    start = np.concatenate([start, p_start])
    order = np.argsort(start, kind="stable")
    keep = start[order] < t_end
    return customer[order][keep], reason[order][keep], start[order][keep]


def _planted(p: SimulationParams, kind: str, at: np.ndarray) -> np.ndarray:
    """The size of the planted changes of `kind` in force at each time (0 before their date)."""
    size = np.zeros(len(at))
    for _, planted_kind, day, effect in p.changes:
        if planted_kind == kind:
            starts = int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp())
            size += np.where(at >= starts, effect, 0.0)
    return size


def simulate_service(p: SimulationParams, rng, pop: Population, t0: int, t_end: int) -> Service:
    issue_customer, issue_reason, issue_start = _issues(p, rng, pop, t0, t_end)
    n_issues = len(issue_customer)
    persona = np.where(
        issue_customer >= 0,
        pop.persona[np.maximum(issue_customer, 0)],
        PERSONAS.index("phone_first"),
    )
    agent_skill = np.clip(rng.normal(1.0, 0.08, size=p.agents), 0.75, 1.12)
    agent_speed = np.clip(rng.lognormal(0.0, 0.2, size=p.agents), 0.6, 1.8)
    resolved = np.zeros(n_issues, dtype=bool)
    legs = Legs()

    # State of the issues still open: which, when the next attempt starts, attempt number,
    # the channel of the last attempt and whether the last attempt was an abandon.
    open_ids = np.arange(n_issues)
    when = issue_start.copy()
    attempt = np.zeros(n_issues, dtype=np.int64)
    last_channel = np.full(n_issues, -1)

    for k in range(p.max_attempts):
        ids = open_ids
        if len(ids) == 0:
            break
        t = when[ids]
        pers = persona[ids]
        reason = issue_reason[ids]
        cust = issue_customer[ids]
        n = len(ids)

        # Self-service first (bot for digital personas, IVR menu otherwise), first attempt only.
        self_service = (k == 0) & (rng.random(n) < np.asarray(p.self_service_first)[pers])
        self_service &= reason != CANCELLATION
        use_bot = self_service & np.isin(pers, BOT_FIRST)
        use_ivr = self_service & ~use_bot
        contained = self_service & (
            rng.random(n)
            < np.asarray(p.containment)[reason] + _planted(p, "bot_containment", t) * use_bot
        )
        ss_duration = rng.integers(60, 300, size=n)
        ss_resolved = contained & (rng.random(n) < 0.8)

        bot_numbers = np.full(n, -1)
        if use_bot.any():
            m = use_bot
            bot_numbers[m] = legs.add(
                int(m.sum()),
                channel=BOT,
                initiation=3,
                issue=ids[m],
                customer=cust[m],
                ivr_outcome=np.where(contained[m], 1, 2),
                reason=reason[m],
                initiated=t[m],
                ended=t[m] + ss_duration[m],
                disconnect=np.where(contained[m], 5, 3),
                attempt=k,
            )
        ivr_contained = use_ivr & contained
        if ivr_contained.any():
            m = ivr_contained
            legs.add(
                int(m.sum()),
                channel=VOICE,
                initiation=0,
                issue=ids[m],
                customer=cust[m],
                ivr_outcome=1,
                reason=reason[m],
                initiated=t[m],
                ended=t[m] + ss_duration[m],
                disconnect=5,
                attempt=k,
            )

        # Assisted channel: after a bot hand-off chat, after the IVR voice, on a repeat maybe
        # another channel, otherwise the persona's mix.
        mix = np.asarray(p.channel_mix)[pers]
        channel = (rng.random(n)[:, None] > mix.cumsum(axis=1)).sum(axis=1)
        channel = np.minimum(channel, EMAIL)
        repeat = last_channel[ids] >= 0
        keep_channel = repeat & (rng.random(n) >= p.channel_switch_share)
        prev = np.where(last_channel[ids] == CALLBACK, VOICE, last_channel[ids])
        prev = np.where(prev == BOT, CHAT, prev)
        channel = np.where(keep_channel, np.clip(prev, 0, EMAIL), channel)
        switch = repeat & ~keep_channel
        channel = np.where(
            switch & (channel == prev), (channel + 1 + rng.integers(0, 2, size=n)) % 3, channel
        )
        channel = np.where(use_bot, CHAT, np.where(use_ivr, VOICE, channel))
        assisted = ~contained
        start = np.where(use_bot, t + ss_duration, t)
        initial = np.where(use_bot, bot_numbers, -1)

        outcome_resolved = ss_resolved.copy()
        retry = np.zeros(n, dtype=bool)
        end_time = np.where(contained, t + ss_duration, t)

        # Queued voice and chat.
        queued_mask = assisted & (channel != EMAIL)
        ivr_time = np.where(channel == VOICE, rng.integers(20, 90, size=n), 0)
        ivr_time = np.where(use_ivr, ss_duration, ivr_time)
        queued_at = start + ivr_time
        hour = (queued_at % DAY) // 3600
        load = 0.6 + CONTACT_HOURS[hour] / CONTACT_HOURS.max()
        mean_wait = (
            np.where(channel == VOICE, p.mean_queue_wait_seconds[0], p.mean_queue_wait_seconds[1])
            * load
            * (1 + _planted(p, "queue_wait_voice", queued_at) * (channel == VOICE))
        )
        wait = rng.exponential(mean_wait).astype(np.int64)
        patience = rng.exponential(np.asarray(p.mean_patience_seconds)[pers]).astype(np.int64)
        callback = (
            queued_mask
            & (channel == VOICE)
            & (wait > p.callback_wait_seconds)
            & (rng.random(n) < p.callback_share)
        )
        dropped = queued_mask & ~callback & (rng.random(n) < p.system_drop_share)
        abandoned = queued_mask & ~callback & ~dropped & (patience < wait)
        answered = queued_mask & ~callback & ~dropped & ~abandoned
        # a free agent takes the leg at once: no queue entry in the export, 0 s of wait
        zero_wait = answered & (rng.random(n) < p.zero_wait_share)
        wait = np.where(zero_wait, 0, wait)
        queued_or_none = np.where(zero_wait, -1, queued_at)
        agent = rng.integers(0, p.agents, size=n)
        talk = (
            rng.lognormal(np.log(np.where(channel == VOICE, 240, 420)), 0.5) * agent_speed[agent]
        ).astype(np.int64) + 30
        hold = np.where(
            (channel == VOICE) & (rng.random(n) < 0.3),
            rng.exponential(60, size=n).astype(np.int64),
            0,
        )
        acw = rng.integers(20, 120, size=n)
        transfer = answered & (rng.random(n) < p.transfer_share)
        res_p = np.asarray(p.resolution_by_reason)[reason] * agent_skill[agent]
        resolves = rng.random(n) < res_p

        ivr_path_outcome = np.where(use_ivr | (channel == VOICE), 2, -1)
        if abandoned.any():
            m = abandoned
            legs.add(
                int(m.sum()),
                initial=initial[m],
                previous=initial[m],
                channel=channel[m],
                initiation=np.where(use_bot[m], 1, 0),
                issue=ids[m],
                customer=cust[m],
                ivr_outcome=ivr_path_outcome[m],
                ivr_self_service=use_ivr[m],
                reason=reason[m],
                initiated=start[m],
                queued=queued_at[m],
                ended=queued_at[m] + patience[m],
                disconnect=4,
                attempt=k,
                wait=patience[m],
            )
            retry[m] = rng.random(int(m.sum())) < p.retry_after_abandon_share
            end_time[m] = queued_at[m] + patience[m]

        # The system ends some queued legs (a switch drop): most callers try again soon.
        if dropped.any():
            m = dropped
            cut = queued_at[m] + np.minimum(wait[m], rng.integers(1, 60, size=int(m.sum())))
            legs.add(
                int(m.sum()),
                initial=initial[m],
                previous=initial[m],
                channel=channel[m],
                initiation=np.where(use_bot[m], 1, 0),
                issue=ids[m],
                customer=cust[m],
                ivr_outcome=ivr_path_outcome[m],
                ivr_self_service=use_ivr[m],
                reason=reason[m],
                initiated=start[m],
                queued=queued_at[m],
                ended=cut,
                disconnect=SYSTEM_DROP,
                attempt=k,
                wait=cut - queued_at[m],
            )
            retry[m] = rng.random(int(m.sum())) < 0.8
            end_time[m] = cut

        # Callbacks: the caller hangs up and is called back when an agent is free.
        if callback.any():
            m = callback
            hang_up = queued_at[m] + rng.integers(20, 60, size=int(m.sum()))
            first = legs.add(
                int(m.sum()),
                initial=initial[m],
                previous=initial[m],
                channel=VOICE,
                initiation=np.where(use_bot[m], 1, 0),
                issue=ids[m],
                customer=cust[m],
                ivr_outcome=2,
                ivr_self_service=use_ivr[m],
                reason=reason[m],
                initiated=start[m],
                queued=queued_at[m],
                ended=hang_up,
                disconnect=6,
                attempt=k,
                wait=hang_up - queued_at[m],
            )
            called = queued_at[m] + wait[m]
            legs.add(
                int(m.sum()),
                initial=first,
                previous=first,
                channel=CALLBACK,
                initiation=2,
                issue=ids[m],
                customer=cust[m],
                reason=reason[m],
                agent=agent[m],
                initiated=called,
                answered=called + 15,
                ended=called + 15 + talk[m] + hold[m],
                acw_ended=called + 15 + talk[m] + hold[m] + acw[m],
                hold=hold[m],
                disconnect=2,
                disposition=np.where(resolves[m], 1, 2),
                attempt=k,
                wait=0,
            )
            outcome_resolved[m] = resolves[m]
            end_time[m] = called + 15 + talk[m] + hold[m]

        if answered.any():
            m = answered & ~transfer
            if m.any():
                ans = queued_at[m] + wait[m]
                legs.add(
                    int(m.sum()),
                    initial=initial[m],
                    previous=initial[m],
                    channel=channel[m],
                    initiation=np.where(use_bot[m], 1, 0),
                    issue=ids[m],
                    customer=cust[m],
                    ivr_outcome=ivr_path_outcome[m],
                    ivr_self_service=use_ivr[m],
                    reason=reason[m],
                    agent=agent[m],
                    initiated=start[m],
                    queued=queued_or_none[m],
                    answered=ans,
                    ended=ans + talk[m] + hold[m],
                    acw_ended=ans + talk[m] + hold[m] + acw[m],
                    hold=hold[m],
                    disconnect=np.where(rng.random(int(m.sum())) < 0.7, 1, 2),
                    disposition=np.where(resolves[m], 1, 2),
                    attempt=k,
                    wait=wait[m],
                )
                outcome_resolved[m] = resolves[m]
                end_time[m] = ans + talk[m] + hold[m]
            m = transfer
            if m.any():
                cnt = int(m.sum())
                ans = queued_at[m] + wait[m]
                first_end = ans + talk[m] // 3
                first = legs.add(
                    cnt,
                    initial=initial[m],
                    previous=initial[m],
                    channel=channel[m],
                    initiation=np.where(use_bot[m], 1, 0),
                    issue=ids[m],
                    customer=cust[m],
                    ivr_outcome=ivr_path_outcome[m],
                    ivr_self_service=use_ivr[m],
                    reason=reason[m],
                    agent=agent[m],
                    initiated=start[m],
                    queued=queued_or_none[m],
                    answered=ans,
                    ended=first_end,
                    acw_ended=first_end + acw[m] // 2,
                    hold=0,
                    disconnect=3,
                    attempt=k,
                    wait=wait[m],
                )
                chain = np.where(initial[m] >= 0, initial[m], first)
                wait2 = rng.exponential(30, size=cnt).astype(np.int64)
                agent2 = rng.integers(0, p.agents, size=cnt)
                talk2 = (talk[m] * agent_speed[agent2]).astype(np.int64)
                ans2 = first_end + wait2
                res2 = (
                    rng.random(cnt)
                    < np.asarray(p.resolution_by_reason)[reason[m]] * agent_skill[agent2]
                )
                legs.add(
                    cnt,
                    initial=chain,
                    previous=first,
                    channel=channel[m],
                    initiation=1,
                    issue=ids[m],
                    customer=cust[m],
                    reason=reason[m],
                    agent=agent2,
                    initiated=first_end,
                    queued=first_end,
                    answered=ans2,
                    ended=ans2 + talk2 + hold[m],
                    acw_ended=ans2 + talk2 + hold[m] + acw[m],
                    hold=hold[m],
                    disconnect=1,
                    disposition=np.where(res2, 1, 2),
                    attempt=k,
                    wait=wait2,
                )
                outcome_resolved[m] = res2
                end_time[m] = ans2 + talk2 + hold[m]

        # E-mail: first reply after hours, some never answered.
        email = assisted & (channel == EMAIL)
        if email.any():
            m = email
            cnt = int(m.sum())
            unanswered = rng.random(cnt) < p.email_unanswered_share
            reply = start[m] + (
                rng.lognormal(np.log(p.email_median_reply_hours), 0.9, size=cnt) * 3600
            ).astype(np.int64)
            reply = np.where(unanswered, -1, reply)
            res = ~unanswered & (
                rng.random(cnt)
                < np.asarray(p.resolution_by_reason)[reason[m]] * p.email_resolution_factor
            )
            legs.add(
                cnt,
                channel=EMAIL,
                initiation=0,
                issue=ids[m],
                customer=cust[m],
                reason=reason[m],
                agent=np.where(unanswered, -1, agent[m]),
                initiated=start[m],
                queued=start[m],
                answered=reply,
                ended=reply,
                acw_ended=np.where(unanswered, -1, reply + acw[m]),
                first_response=reply,
                disposition=np.where(unanswered, -1, np.where(res, 1, 2)),
                attempt=k,
            )
            outcome_resolved[m] = res
            end_time[m] = np.where(unanswered, start[m] + DAY, reply)

        resolved[ids] = outcome_resolved
        last_channel[ids] = np.where(contained & use_bot, BOT, channel)
        # Unresolved issues come back; abandoners who retry come back within hours.
        gave_up = abandoned | dropped
        comes_back = (~outcome_resolved & ~gave_up) | (gave_up & retry)
        gap = np.where(
            gave_up,
            rng.integers(600, 3 * 3600, size=n),
            (rng.exponential(p.mean_repeat_gap_days, size=n) * DAY).astype(np.int64) + 3600,
        )
        when[ids] = end_time + gap
        attempt[ids] = k + 1
        open_ids = ids[comes_back & (end_time + gap < t_end)]

    return Service(
        legs=legs.table(),
        issue_customer=issue_customer,
        issue_reason=issue_reason,
        issue_start=issue_start,
        issue_resolved=resolved,
        agent_skill=agent_skill,
        agent_speed=agent_speed,
    )


def apply_churn(
    p: SimulationParams, rng, pop: Population, service: Service, t0: int, t_end: int
) -> None:
    """Customers cancel with a hazard that grows with their unresolved issues."""
    known = service.issue_customer >= 0
    unresolved = np.bincount(
        service.issue_customer[known & ~service.issue_resolved], minlength=pop.size
    )
    active_from = np.maximum(pop.signup, t0)
    active_days = np.clip((t_end - active_from) / DAY, 0, None)
    hazard = p.churn_per_day * (1 + p.churn_per_unresolved * unresolved)
    churns = rng.random(pop.size) < 1 - np.exp(-hazard * active_days)
    when = active_from + (rng.random(pop.size) * active_days * DAY).astype(np.int64)
    pop.cancel_at = np.where(churns & (when > active_from + DAY), when, -1)
