"""Web sessions and their events: anonymous browsing, logins, help-centre visits, purchases."""

from __future__ import annotations

import numpy as np

from orchestration.simulator.params import REASONS, SimulationParams
from orchestration.simulator.population import DAY, Population

AWARENESS, CONSIDERATION, PURCHASE, BROWSE, HELP, CANCEL = range(6)  # kinds of visit
EVENT_NAMES = (
    "page_view",
    "login",
    "search",
    "faq_view",
    "add_to_cart",
    "purchase",
    "cancel_subscription",
    "error",
)
PV, LOGIN, SEARCH, FAQ, CART, BUY, CANCEL_EV, ERROR = range(8)
PATHS = (
    "/",
    "/blog/switching-made-easy",
    "/products/basic",
    "/products/standard",
    "/products/premium",
    "/pricing",
    "/compare",
    "/search",
    "/help",
    "/help/faq",
    "/account",
    "/account/billing",
    "/checkout",
    "/checkout/confirmation",
    "/account/cancel",
    "/login",
    "/error",
    "/help/topic",
)
P = {path: i for i, path in enumerate(PATHS)}
# Per kind: (event, path) choices and weights for the events between the first and the last.
PAGE_TABLES = {
    AWARENESS: (
        [
            (PV, P["/"]),
            (PV, P["/blog/switching-made-easy"]),
            (PV, P["/products/basic"]),
            (PV, P["/products/standard"]),
        ],
        [0.3, 0.3, 0.2, 0.2],
    ),
    CONSIDERATION: (
        [
            (PV, P["/pricing"]),
            (PV, P["/compare"]),
            (PV, P["/products/premium"]),
            (PV, P["/products/standard"]),
            (SEARCH, P["/search"]),
        ],
        [0.3, 0.2, 0.15, 0.2, 0.15],
    ),
    PURCHASE: (
        [(PV, P["/pricing"]), (PV, P["/products/standard"]), (PV, P["/compare"])],
        [0.5, 0.3, 0.2],
    ),
    BROWSE: (
        [
            (PV, P["/"]),
            (PV, P["/account"]),
            (PV, P["/account/billing"]),
            (PV, P["/products/premium"]),
            (SEARCH, P["/search"]),
            (PV, P["/help"]),
        ],
        [0.2, 0.25, 0.2, 0.1, 0.1, 0.15],
    ),
    HELP: (
        [(PV, P["/help"]), (FAQ, P["/help/topic"]), (SEARCH, P["/search"]), (FAQ, P["/help/faq"])],
        [0.25, 0.4, 0.2, 0.15],
    ),
    CANCEL: (
        [(PV, P["/account"]), (PV, P["/help/faq"]), (PV, P["/account/billing"])],
        [0.4, 0.3, 0.3],
    ),
}
LANDING = {
    AWARENESS: P["/"],
    CONSIDERATION: P["/pricing"],
    PURCHASE: P["/pricing"],
    BROWSE: P["/"],
    HELP: P["/help"],
    CANCEL: P["/account"],
}
WEB_HOURS = np.array(
    [1, 1, 0.5, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4, 4, 5, 5, 4, 4, 4, 5, 6, 7, 8, 7, 5, 3], dtype=float
)
CAMPAIGNS = ("autumn_sale", "brand_search", "newsletter_oct", "partner_promo")
UTM_SOURCES = ("google", "facebook", "newsletter", "partner")
UTM_MEDIUMS = ("cpc", "social", "email", "referral")


def _web_times(rng, days: np.ndarray) -> np.ndarray:
    hours = rng.choice(24, size=len(days), p=WEB_HOURS / WEB_HOURS.sum())
    return hours * 3600 + rng.integers(0, 3600, size=len(days))


def _sessions(
    p: SimulationParams,
    rng,
    pop: Population,
    t0: int,
    t_end: int,
    help_customer: np.ndarray,
    help_time: np.ndarray,
    help_reason: np.ndarray,
):
    """Session table: cookie, customer (-1 anonymous prospect), start, kind, logged in."""
    parts = []
    n = pop.size
    end_of_life = np.where(pop.cancel_at >= 0, pop.cancel_at, t_end)
    # Browsing by signed-up customers while active.
    active_from = np.maximum(pop.signup, t0)
    days_active = np.clip((end_of_life - active_from) / DAY, 0, None)
    counts = rng.poisson(np.asarray(p.web_sessions_per_day)[pop.persona] * days_active)
    cust = np.repeat(np.arange(n), counts)
    start = active_from[cust] + (rng.random(len(cust)) * days_active[cust] * DAY).astype(np.int64)
    start = start - start % DAY + _web_times(rng, start // DAY)
    parts.append(
        (
            cust,
            start,
            np.full(len(cust), BROWSE),
            rng.random(len(cust)) < p.login_share,
            np.full(len(cust), -1),
        )
    )
    # Acquisition journeys: awareness and consideration visits before the purchase.
    acquired = np.flatnonzero(pop.signup >= t0)
    for kind, low, high in ((AWARENESS, 4 * DAY, 14 * DAY), (CONSIDERATION, 3600, 4 * DAY)):
        c = np.repeat(acquired, rng.integers(1, 3, size=len(acquired)))
        parts.append(
            (
                c,
                pop.signup[c] - rng.integers(low, high, size=len(c)),
                np.full(len(c), kind),
                np.zeros(len(c), bool),
                np.full(len(c), -1),
            )
        )
    parts.append(
        (
            acquired,
            pop.signup[acquired] - 600,
            np.full(len(acquired), PURCHASE),
            np.ones(len(acquired), bool),
            np.full(len(acquired), -1),
        )
    )
    # Help-centre visits before a contact (digital-to-assisted escalation).
    parts.append(
        (
            help_customer,
            help_time,
            np.full(len(help_customer), HELP),
            rng.random(len(help_customer)) < 0.5,
            help_reason,
        )
    )
    # Cancellations done on the web.
    leavers = np.flatnonzero((pop.cancel_at >= 0) & (rng.random(n) < 0.5))
    parts.append(
        (
            leavers,
            pop.cancel_at[leavers] - 300,
            np.full(len(leavers), CANCEL),
            np.ones(len(leavers), bool),
            np.full(len(leavers), -1),
        )
    )
    cust = np.concatenate([part[0] for part in parts])
    start = np.concatenate([part[1] for part in parts])
    kind = np.concatenate([part[2] for part in parts])
    logged_in = np.concatenate([part[3] for part in parts])
    reason = np.concatenate([part[4] for part in parts])
    device = (rng.random(len(cust)) * pop.devices[cust]).astype(np.int64)
    cookie = pop.cookie_of(cust, device)
    # Prospects who never buy: one to three anonymous visits, some reach the pricing page.
    pc = np.repeat(np.arange(pop.prospects), rng.integers(1, 4, size=pop.prospects))
    p_day = rng.integers(0, max(p.days, 1), size=len(pc))
    cust = np.concatenate([cust, -1 - pc])
    start = np.concatenate([start, t0 + p_day * DAY + _web_times(rng, p_day)])
    kind = np.concatenate([kind, np.where(rng.random(len(pc)) < 0.4, CONSIDERATION, AWARENESS)])
    logged_in = np.concatenate([logged_in, np.zeros(len(pc), bool)])
    reason = np.concatenate([reason, np.full(len(pc), -1)])
    cookie = np.concatenate([cookie, pop.prospect_cookie_offset + pc])
    keep = (start >= t0) & (start < t_end)
    order = np.lexsort((cookie[keep], start[keep]))
    return {
        name: values[keep][order]
        for name, values in (
            ("customer", cust),
            ("start", start),
            ("kind", kind),
            ("logged_in", logged_in),
            ("reason", reason),
            ("cookie", cookie),
        )
    }


def simulate_web(
    p: SimulationParams,
    rng,
    pop: Population,
    t0: int,
    t_end: int,
    help_customer,
    help_time,
    help_reason,
) -> dict[str, np.ndarray]:
    """Event table (one row per event) with its session number for the truth files."""
    s = _sessions(p, rng, pop, t0, t_end, help_customer, help_time, help_reason)
    n_sessions = len(s["start"])
    size = 1 + rng.poisson(p.events_per_session - 1, size=n_sessions)
    size = np.minimum(size, 30)
    size = np.where(s["logged_in"], np.maximum(size, 2), size)
    size = np.where(s["kind"] == PURCHASE, np.maximum(size, 4) + s["logged_in"], size)
    size = np.where(s["kind"] == CANCEL, np.maximum(size, 3), size)
    session = np.repeat(np.arange(n_sessions), size)
    first = np.concatenate([[0], np.cumsum(size)[:-1]])
    position = np.arange(len(session)) - first[session]
    last = position == size[session] - 1
    kind = s["kind"][session]

    event = np.full(len(session), PV)
    path = np.zeros(len(session), dtype=np.int64)
    for k, (choices, weights) in PAGE_TABLES.items():
        m = kind == k
        pick = rng.choice(len(choices), size=int(m.sum()), p=np.asarray(weights))
        table = np.asarray(choices)
        event[m] = table[pick, 0]
        path[m] = table[pick, 1]
    errors = rng.random(len(session)) < 0.01
    event[errors], path[errors] = ERROR, P["/error"]
    landing = position == 0
    event[landing] = PV
    path[landing] = np.vectorize(LANDING.get)(kind[landing]) if landing.any() else 0
    logged = s["logged_in"][session]
    login = logged & (position == 1)
    event[login], path[login] = LOGIN, P["/login"]
    buy = (kind == PURCHASE) & last
    cart = (kind == PURCHASE) & (position == size[session] - 2)
    event[cart], path[cart] = CART, P["/checkout"]
    event[buy], path[buy] = BUY, P["/checkout/confirmation"]
    cancel = (kind == CANCEL) & last
    event[cancel], path[cancel] = CANCEL_EV, P["/account/cancel"]

    gaps = np.minimum(rng.exponential(45, size=len(session)), 25 * 60).astype(np.int64) + 1
    gaps[landing] = 0
    cum = np.cumsum(gaps)
    at = s["start"][session] + cum - cum[first[session]]
    customer = s["customer"][session]
    user = np.where(logged & (position >= 1), customer, -1)
    campaign = np.where(
        (kind == AWARENESS) & (rng.random(n_sessions)[session] < 0.6),
        rng.integers(0, len(CAMPAIGNS), size=n_sessions)[session],
        -1,
    )
    campaign = np.where(landing, campaign, -1)
    reason = np.where((kind == HELP) & (path == P["/help/topic"]), s["reason"][session], -1)
    keep = at < t_end
    return {
        "session": session[keep],
        "cookie": s["cookie"][session][keep],
        "customer": customer[keep],
        "user": user[keep],
        "at": at[keep],
        "event": event[keep],
        "path": path[keep],
        "reason": reason[keep],
        "campaign": campaign[keep],
        "landing": landing[keep],
        "kind": kind[keep],
        "order_value": np.where(buy, rng.choice([19.99, 29.99, 49.99], size=len(session)), np.nan)[
            keep
        ],
    }


def help_visits(
    p: SimulationParams, rng, pop: Population, issue_customer, issue_start, issue_reason
):
    """Issues whose customer tried the help centre first, 10 minutes to 2 days before."""
    known = issue_customer >= 0
    persona = pop.persona[np.maximum(issue_customer, 0)]
    tried = known & (
        rng.random(len(issue_customer)) < np.asarray(p.help_before_contact_share)[persona]
    )
    tried &= issue_reason != REASONS.index("cancellation")
    when = issue_start - rng.integers(600, 2 * DAY, size=len(issue_customer))
    return issue_customer[tried], when[tried], issue_reason[tried]
