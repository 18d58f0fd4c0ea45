"""Rolling KPIs up over days and slices: scale x sum(numerator) / sum(denominator), by hand."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from reports.rollup import Kpi, find_kpi, headline_kpis, rollup, window_value


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema kpi")
    con.execute(
        """
        create table kpi.kpi_headline_targets as select * from (values
            ('kpi_cc', 'abandonment_rate', 'Abandonment', 0.05, 'at_most', 'ratio', 'abandoned',
             'offered', 1.0, 'date_day', null, null, 'known_share', 'known', 'contacts',
             'of contacts known'),
            ('kpi_voc', 'nps', 'NPS', 30.0, 'at_least', 'score', 'promoters - detractors',
             'nps_responses', 100.0, 'period_start', 'period_grain = ''week''', null, null, null,
             null, null),
            ('kpi_churn', 'churn_rate', 'Churn', 0.02, 'at_most', 'ratio', 'cancelled',
             'customers', 1.0, 'month_start', null, null, null, null, null, null)
        ) as t(kpi_model, kpi_column, kpi_name, target, direction, unit, numerator, denominator,
               scale, period_column, row_filter, note, context_column, context_numerator,
               context_denominator, context_label)
        """
    )
    # Day 1: Q1 offered 10, 2 abandoned (0.2); Q2 offered 30, 3 abandoned (0.1).
    # Day 2: Q1 offered 0 (null rate); Q2 offered 20, 1 abandoned (0.05).
    # Context: contacts of known customers, Q1 5 of 10, Q2 30 of 30, then Q2 15 of 20.
    con.execute(
        """
        create table kpi.kpi_cc as select * from (values
            (date '2026-01-01', 'Q1', 10, 2, 0.2, 10, 5, 0.5),
            (date '2026-01-01', 'Q2', 30, 3, 0.1, 30, 30, 1.0),
            (date '2026-01-02', 'Q1', 0, 0, null, 0, 0, null),
            (date '2026-01-02', 'Q2', 20, 1, 0.05, 20, 15, 0.75)
        ) as t(date_day, queue_key, offered, abandoned, abandonment_rate, contacts, known,
               known_share)
        """
    )
    # Weekly rows are the grain to roll up; the monthly row repeats them and must be ignored.
    # Week 1: 6 promoters, 1 detractor of 10 (50); week 2: 6 and 9 of 30 (-10).
    con.execute(
        """
        create table kpi.kpi_voc as select * from (values
            ('week', date '2026-01-05', 10, 6, 1, 50.0),
            ('week', date '2026-01-12', 30, 6, 9, -10.0),
            ('month', date '2026-01-01', 40, 12, 10, 5.0)
        ) as t(period_grain, period_start, nps_responses, promoters, detractors, nps)
        """
    )
    con.execute(
        """
        create table kpi.kpi_churn as select * from (values
            (date '2025-11-01', 100, 3, 0.03), (date '2025-12-01', 200, 3, 0.015)
        ) as t(month_start, customers, cancelled, churn_rate)
        """
    )
    return con


def test_headline_kpis_read_the_published_targets(con) -> None:
    kpis = headline_kpis(con)
    assert [k.column for k in kpis] == ["abandonment_rate", "churn_rate", "nps"]
    nps = find_kpi(kpis, "kpi_voc", "nps")
    assert (nps.target, nps.direction, nps.row_filter) == (
        30.0,
        "at_least",
        "period_grain = 'week'",
    )
    with pytest.raises(KeyError, match=r"kpi_cc\.nps"):
        find_kpi(kpis, "kpi_cc", "nps")


def test_rollup_sums_numerator_and_denominator(con) -> None:
    abandonment = find_kpi(headline_kpis(con), "kpi_cc", "abandonment_rate")
    # (2 + 3 + 1) abandoned / (10 + 30 + 20) offered = 0.1, not the mean of the rates (0.1167)
    total = rollup(con, abandonment)
    assert total["value"].iloc[0] == pytest.approx(6 / 60)
    assert total["weight"].iloc[0] == 60
    by_day = rollup(con, abandonment, by=["date_day"])
    assert by_day["value"].tolist() == pytest.approx([5 / 40, 0.05])
    by_queue = rollup(con, abandonment, by=["queue_key"], equals={"queue_key": "Q1"})
    assert by_queue["value"].tolist() == pytest.approx([0.2])
    since = rollup(con, abandonment, since=dt.date(2026, 1, 2))
    assert since["value"].iloc[0] == pytest.approx(0.05)


def test_rollup_applies_the_row_filter(con) -> None:
    nps = find_kpi(headline_kpis(con), "kpi_voc", "nps")
    # weeks only: 100 x ((6 + 6) - (1 + 9)) / 40 = 5.0; the monthly row would double count
    assert rollup(con, nps)["value"].iloc[0] == pytest.approx(5.0)


def test_window_value_and_monthly_fallback(con) -> None:
    kpis = headline_kpis(con)
    abandonment = find_kpi(kpis, "kpi_cc", "abandonment_rate")
    assert window_value(con, abandonment, dt.date(2026, 1, 2), 1) == pytest.approx(0.05)
    assert window_value(con, abandonment, dt.date(2026, 1, 2), 30) == pytest.approx(0.1)
    churn = find_kpi(kpis, "kpi_churn", "churn_rate")
    # no month starts in the 30 days up to 2026-01-20: the latest month (December) stands in
    assert window_value(con, churn, dt.date(2026, 1, 20), 30) == pytest.approx(0.015)
    # 90 days: (3 + 3) cancelled / 300 customers = 0.02
    assert window_value(con, churn, dt.date(2026, 1, 20), 90) == pytest.approx(0.02)


def test_context_figure_rolls_up_by_its_own_ratio(con) -> None:
    kpis = headline_kpis(con)
    context = find_kpi(kpis, "kpi_cc", "abandonment_rate").context()
    assert (context.column, context.numerator, context.denominator, context.unit) == (
        "known_share",
        "known",
        "contacts",
        "ratio",
    )
    # (5 + 30 + 15) known / 60 contacts, not the mean of the shares
    assert window_value(con, context, dt.date(2026, 1, 2), 30) == pytest.approx(50 / 60)
    assert find_kpi(kpis, "kpi_voc", "nps").context() is None


def test_meets_follows_the_direction() -> None:
    at_most = Kpi("m", "c", "n", 0.05, "at_most", "ratio", "x", "w", 1.0, "d", None)
    at_least = Kpi("m", "c", "n", 30.0, "at_least", "score", "x", "w", 100.0, "d", None)
    assert at_most.meets(0.05) is True and at_most.meets(0.051) is False
    assert at_least.meets(30.0) is True and at_least.meets(29.9) is False
    assert at_most.meets(None) is None


def test_overview_says_no_data_in_the_panel_of_each_kpi_without_data(con) -> None:
    """With one source alone most headline KPIs have no data: each says so in its own panel,
    placed on the page (a label tied to a panel's axes lands on the first panel with data when
    the browser creates no axes for an empty panel). Only churn has data here."""
    from types import SimpleNamespace

    from reports.pages.overview import _trends

    con.execute("delete from kpi.kpi_cc")
    con.execute("delete from kpi.kpi_voc")
    ctx = SimpleNamespace(
        con=con, kpis=headline_kpis(con), days_back=lambda days: dt.date(2025, 1, 1)
    )
    figure = _trends(ctx)
    titles = {a.text: a for a in figure.layout.annotations if a.text != "no data"}
    labels = [a for a in figure.layout.annotations if a.text == "no data"]
    assert [(a.xref, a.yref) for a in labels] == [("paper", "paper")] * 2
    for label, name in zip(labels, ["Abandonment", "NPS"], strict=True):
        title = titles[name]  # a panel's title sits centred above it
        assert label.x == pytest.approx(title.x)
        assert label.y < title.y
    # the one panel with data (churn, the second) keeps its own axes and points
    assert [trace.xaxis for trace in figure.data] == ["x2", "x2"]
