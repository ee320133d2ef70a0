"""Disclosure requests: R14 deadline, R15 correction (once, within 7 wd, restart), R16 paused
days, extension once, R19 fee thresholds, R17 reply letter, actions only in their state."""

import datetime as dt

import pytest

from tongban.core.calendar import add_working_days
from tongban.disclosure import actions
from tongban.disclosure.models import DisclosureRequest

BODY = {
    "content": "请公开2025年本区老旧小区改造项目的资金使用情况",
    "requester_type": "natural_person",
    "delivery": "online",
}
MONDAY = dt.date(2026, 3, 2)


@pytest.fixture
def on(monkeypatch):
    """Set 'today' of the actions (Asia/Shanghai date)."""
    box = {"day": MONDAY}
    monkeypatch.setattr(actions, "_today", lambda: box["day"])

    def set_day(day):
        box["day"] = day

    set_day(MONDAY)
    return set_day


def _file(clients, post):
    r = post(clients.citizen, "/api/disclosure/requests", BODY)
    assert r.status_code == 201, r.content
    return r.json()


def _act(client, post, number, action, **body):
    return post(client, f"/api/disclosure/requests/{number}/actions/{action}", body)


def test_R14_deadline_is_20_working_days_from_submission(clients, post):
    from django.utils import timezone

    data = _file(clients, post)
    assert data["deadline"] == str(add_working_days(timezone.localdate(), 20))
    assert data["state"] == "processing" and data["number"].startswith("GKSQ-")


@pytest.mark.real_calendar
def test_R5_request_received_late_in_the_year_has_its_deadline_pending(clients, post, monkeypatch):
    """Filed when 20 working days reach a year nobody has entered yet: received all the same,
    the deadline pending (None), never guessed, never a refusal."""
    from tongban.disclosure import actions

    monkeypatch.setattr(actions, "_today", lambda: dt.date(2026, 12, 20))
    data = _file(clients, post)
    assert data["state"] == "processing" and data["deadline"] is None


def test_missing_fields_and_invalid_identifiers_are_422(clients, post, cast):
    r = post(clients.citizen, "/api/disclosure/requests", {"requester_type": "natural_person", "delivery": "online"})
    assert r.status_code == 422
    r = post(clients.citizen, "/api/disclosure/requests", {**BODY, "content": "", "delivery": "fax"})
    fields = {d["field"] for d in r.json()["detail"]}
    assert r.status_code == 422 and {"content", "delivery"} <= fields
    r = post(clients.citizen, "/api/disclosure/requests", {**BODY, "id_number": "210203198001011230"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "id_number"
    r = post(
        clients.agent,
        "/api/disclosure/requests",
        {**BODY, "requester_type": "commercial", "uscc": "91210204MA1B2C3D8X"},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "uscc"
    r = post(clients.agent, "/api/disclosure/requests", {**BODY, "requester_type": "commercial"})
    assert (
        r.status_code == 201 and DisclosureRequest.objects.get(number=r.json()["number"]).uscc == cast.enterprise.uscc
    )
    assert DisclosureRequest.objects.count() == 1


def test_R15_correction_once_within_7_working_days_and_the_clock_restarts(clients, post, on):
    number = _file(clients, post)["number"]
    r = _act(clients.officer, post, number, "request-correction")
    assert r.status_code == 422  # the reason is required
    r = _act(clients.officer, post, number, "request-correction", reason="请说明所需信息的时间范围")
    assert r.status_code == 200 and r.json()["state"] == "correction" and r.json()["deadline"] is None
    assert _act(clients.officer, post, number, "request-correction", reason="again").status_code == 409
    on(dt.date(2026, 3, 10))
    r = _act(clients.citizen, post, number, "submit-correction", content="2025年1月至12月")
    assert r.status_code == 200 and r.json()["deadline"] == str(add_working_days(dt.date(2026, 3, 10), 20))
    assert _act(clients.officer, post, number, "request-correction", reason="x").status_code == 409


def test_R15_correction_too_late_is_refused(clients, post, on):
    number = _file(clients, post)["number"]
    on(add_working_days(MONDAY, 8))
    assert _act(clients.officer, post, number, "request-correction", reason="不明确").status_code == 409


def test_R16_third_party_days_are_not_counted(clients, post, on):
    number = _file(clients, post)["number"]
    on(dt.date(2026, 3, 4))  # two working days used (3, 4 March: the pause day is not counted)
    r = _act(clients.officer, post, number, "consult-third-party", third_party="大连某某公司")
    assert r.status_code == 200 and r.json()["state"] == "third_party"
    on(dt.date(2026, 3, 11))
    r = _act(clients.officer, post, number, "third-party-replied")
    # 1 day used before the pause (3 March), 19 left from 11 March
    assert r.json()["deadline"] == str(add_working_days(dt.date(2026, 3, 11), 19))
    assert r.json()["deadline"] > str(add_working_days(MONDAY, 20))


def test_extension_once_at_most_20_days(clients, post, on):
    number = _file(clients, post)["number"]
    assert _act(clients.officer, post, number, "extend", reason="需调取档案", days=25).status_code == 422
    r = _act(clients.officer, post, number, "extend", reason="需调取档案", days=20)
    assert r.status_code == 200 and r.json()["deadline"] == str(add_working_days(MONDAY, 40))
    assert _act(clients.officer, post, number, "extend", reason="again").status_code == 409


def test_R19_fee_notice_only_past_the_thresholds(clients, post, on, settings):
    number = _file(clients, post)["number"]
    assert _act(clients.officer, post, number, "fee-notice", amount="100").status_code == 409
    settings.TONGBAN_DISCLOSURE_FEE_MONTHLY_REQUESTS = 0
    r = _act(clients.officer, post, number, "fee-notice", amount="100")
    assert r.status_code == 200 and r.json()["state"] == "fee_pending"
    assert _act(clients.officer, post, number, "reply", reply_type="disclosed", text="x").status_code == 409


def test_R17_reply_with_letter_then_archive(clients, post, on):
    number = _file(clients, post)["number"]
    r = _act(clients.officer, post, number, "reply", reply_type="not_disclosed", text="经审查")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "reason_category"
    r = _act(clients.officer, post, number, "reply", reply_type="partly", text="部分公开，见附件")
    assert r.status_code == 200 and r.json()["state"] == "replied"
    pdf = clients.citizen.get(f"/api/disclosure/requests/{number}/reply.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert _act(clients.citizen, post, number, "withdraw").status_code == 409
    r = _act(clients.officer, post, number, "archive")
    assert r.status_code == 200 and "reply.pdf" in r.json()["manifest"]


def test_who_may_act_and_see(clients, post):
    number = _file(clients, post)["number"]
    assert _act(clients.citizen, post, number, "reply", reply_type="disclosed", text="x").status_code == 403
    assert _act(clients.other_officer, post, number, "extend", reason="x").status_code == 404
    assert clients.other.get(f"/api/disclosure/requests/{number}").status_code == 404
    assert clients.officer.get("/api/disclosure/requests").json()["count"] == 1
    assert clients.other_officer.get("/api/disclosure/requests").json()["count"] == 0
    assert _act(clients.officer, post, number, "submit-correction", content="x").status_code == 403
    assert _act(clients.citizen, post, number, "submit-correction", content="x").status_code == 409
    assert _act(clients.citizen, post, number, "fly").status_code == 422
    assert _act(clients.citizen, post, number, "withdraw").json()["state"] == "withdrawn"


def test_expired_correction_is_withdrawn(clients, post, on):
    number = _file(clients, post)["number"]
    _act(clients.officer, post, number, "request-correction", reason="不明确", days=5)
    assert actions.expire_overdue(add_working_days(MONDAY, 6)) == 1
    assert DisclosureRequest.objects.get(number=number).state == "withdrawn"
