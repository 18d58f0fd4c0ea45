"""A Genesys Cloud deployment: the vendor's own export (and a CRM file) publishes contacts,
identities and KPIs equal to values computed by hand from the fixtures
(tests/fixtures/genesys_cloud/README.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, run_cjm

FIXTURES = REPO / "tests/fixtures/genesys_cloud"
CRM = (
    "customer_id,email,phone,first_name,last_name,segment,plan,signup_date,cancel_date,country,"
    "language,updated_at\n"
    "CUST-1001,anna.berzina@example.com,+371 2000 0002,Anna,Berzina,digital_first,basic,"
    "2025-01-01,,LV,lv,2025-01-01 00:00:00\n"
)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("genesys") / "home"
    day = home / "landing/genesys_cloud/2026-09-02"
    day.mkdir(parents=True)
    for name in ("voice_email_callback_query_result.json", "chat_closed.json", "chat_open.json"):
        shutil.copy(FIXTURES / name, day / name)
    crm = home / "landing/crm/2026-09-02/customers.csv"
    crm.parent.mkdir(parents=True)
    crm.write_text(CRM)
    result = run_cjm(home, "run")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return home / "warehouse/cjm.duckdb"


def _rows(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_conversation_becomes_its_legs(published: Path) -> None:
    legs = _rows(
        published,
        "select contact_id, channel, initiation_method, queue_key, queue_wait_seconds,"
        " disconnect_reason, reason from marts.fct_contacts where contact_date = '2026-09-01'"
        " order by initiated_at",
    )
    assert legs == [
        (
            "7a0c2f10-0001-4c1e-a001-000000000001",
            "voice",
            "inbound",
            "billing",
            45,
            "transfer",
            "billing",
        ),
        (
            "7a0c2f10-0001-4c1e-a001-000000000001:2",
            "voice",
            "transfer",
            "technical",
            20,
            "customer_disconnect",
            "technical",
        ),
        (
            "7a0c2f10-0002-4c1e-a001-000000000002",
            "voice",
            "inbound",
            "billing",
            90,
            "abandoned",
            "unknown",
        ),
        (
            "7a0c2f10-0003-4c1e-a001-000000000003",
            "voice",
            "inbound",
            "-1",
            None,
            "contained",
            "unknown",
        ),
        (
            "7a0c2f10-0004-4c1e-a001-000000000004",
            "email",
            "inbound",
            "email",
            None,
            "agent_disconnect",
            "billing",
        ),  # e-mail is measured by its reply time, not queue wait
        # a callback's time in the queue is not a wait on the line (voice and chat only)
        (
            "7a0c2f10-0005-4c1e-a001-000000000005",
            "callback",
            "callback",
            "billing",
            None,
            "customer_disconnect",
            "billing",
        ),
    ]


def test_the_customer_stitches_by_crm_id_phone_and_email(published: Path) -> None:
    keys = dict(
        _rows(
            published,
            "select contact_id, customer_key from marts.fct_contacts"
            " where contact_date = '2026-09-01'",
        )
    )
    anna = {k for c, k in keys.items() if not c.startswith("7a0c2f10-0003")}
    assert anna == {"CUST-1001"}  # by the id attribute, the caller's number, the e-mail sender
    assert keys["7a0c2f10-0003-4c1e-a001-000000000003"].startswith("anon-")


def test_contact_centre_kpis_equal_the_hand_computed_values(published: Path) -> None:
    # voice on 09-01: offered 3 (two legs of the transferred call, the abandon), handled 2,
    # waits 45 s and 20 s, handle (345 + 30 + 60) and (700 + 90) s, one of two transferred;
    # service level: answered within 20 s (1) / (answered 2 + abandoned after 20 s 1)
    [row] = _rows(
        published,
        "select sum(offered), sum(handled), sum(abandoned), sum(abandoned) / sum(offered),"
        " sum(answered_wait_seconds) / sum(answered), sum(handle_seconds) / sum(handled),"
        " sum(transferred) / sum(handled),"
        " sum(answered_within_service_level) / sum(service_level_base)"
        " from kpi.kpi_contact_centre_daily where date_day = '2026-09-01' and channel = 'voice'",
    )
    assert row == pytest.approx((3, 2, 1, 1 / 3, 32.5, 612.5, 0.5, 1 / 3))
    [email] = _rows(
        published,
        "select emails_received, emails_answered, mean_first_reply_hours, unanswered_rate"
        " from kpi.kpi_email_daily where date_day = '2026-09-01'",
    )
    assert email == pytest.approx((1, 1, 2.0, 0.0))
    [ivr] = _rows(
        published,
        "select sum(sessions), sum(contained) from kpi.kpi_self_service_daily"
        " where date_day = '2026-09-01' and channel = 'ivr'",
    )
    assert ivr == (3, 1)  # three calls met the IVR, one ended there


def test_the_real_chat_records_load_and_an_open_conversation_is_kept(published: Path) -> None:
    chats = _rows(
        published,
        "select contact_id, agent_key, answered_at is not null, ended_at"
        " from marts.fct_contacts where channel = 'chat' order by initiated_at",
    )
    assert [(c[0], c[1], c[2]) for c in chats] == [
        ("1bc96a39-6725-40c4-9345-db72aa67b8c6", "50fcd33c-f432-4726-abc9-979f3ca01555", True),
        ("6acbee65-80be-4777-be03-8dacd07ee3f9", "9f3b4669-8593-4c95-bd7d-ef92c50f5a86", True),
    ]
    assert str(chats[1][3]).startswith("2021-04-02 15:46:21")  # its last agent segment's end
    sources = dict(_rows(published, "select source, has_data from marts.dim_source"))
    assert sources["genesys_cloud"] and not sources["contact_center"]
