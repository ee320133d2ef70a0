"""Rules by id: R5 deadlines on the working-day calendar, R7 correction pauses the clock with
the days used kept, R8 warned/overdue, R9 one-time notice, R10 tolerant acceptance, R11
nothing outside the guide, R12 fetched not uploaded, reused when confirmed."""

import datetime as dt

import pytest

from tongban.cases import actions, clocks
from tongban.cases.models import Case, CaseClockEvent, CasePromise
from tongban.catalog.models import LicenceHolding, LicenceType
from tongban.core.calendar import add_working_days, working_days_between

from .conftest import file, post
from .helpers import sign_promise

pytestmark = pytest.mark.django_db

TOLERABLE = "拟执业医疗卫生机构的聘用证明"
NOT_TOLERABLE = "医师资格证书"


def _on(monkeypatch, day: dt.date) -> None:
    monkeypatch.setattr(actions, "_today", lambda: day)


def _case(clients) -> Case:
    r = file(clients.citizen)
    assert r.status_code == 201, r.content
    return Case.objects.get(number=r.json()["number"])


def test_R5_deadline_counts_working_days_from_the_day_after_acceptance(clients, health_officer, monkeypatch):
    case = _case(clients)
    friday_before_labour_day = dt.date(2026, 4, 30)  # 5/1–5/5 holiday, 5/9 an adjusted working Saturday
    _on(monkeypatch, friday_before_labour_day)
    actions.accept(health_officer, case)
    reading = clocks.reading(case, friday_before_labour_day)
    assert reading["deadline"] == add_working_days(friday_before_labour_day, 20)
    assert reading["promised_deadline"] == add_working_days(friday_before_labour_day, 3)
    assert reading["days_used"] == 0 and reading["state"] == "running"
    # day 1 is the first working day after receipt: the holiday is not counted
    assert clocks.reading(case, dt.date(2026, 5, 5))["days_used"] == 0
    assert clocks.reading(case, dt.date(2026, 5, 6))["days_used"] == 1


def test_R7_correction_pauses_and_resumes_with_days_used_kept(clients, health_officer, cast, monkeypatch):
    case = _case(clients)
    start, pause, resume, later = dt.date(2026, 3, 2), dt.date(2026, 3, 5), dt.date(2026, 3, 16), dt.date(2026, 3, 18)
    _on(monkeypatch, start)
    actions.accept(health_officer, case)
    _on(monkeypatch, pause)
    actions.request_correction(health_officer, case, materials=[NOT_TOLERABLE], reason="复印件不清晰")
    paused = clocks.reading(case, dt.date(2026, 3, 12))
    used_before = working_days_between(start, pause - dt.timedelta(days=1))
    assert paused["state"] == "paused" and paused["days_used"] == used_before and paused["deadline"] is None
    _on(monkeypatch, resume)
    actions.submit_correction(cast.citizen, case, materials=[NOT_TOLERABLE])
    running = clocks.reading(case, later)
    assert running["state"] == "running"
    assert running["days_used"] == used_before + working_days_between(resume, later)
    assert running["deadline"] == add_working_days(resume, 20 - used_before)
    # applicant and officer see the same figures
    a = clients.citizen.get(f"/api/cases/{case.number}").json()["clock"]
    o = clients.officer.get(f"/api/cases/{case.number}").json()["clock"]
    assert a == o


def test_R8_warned_and_overdue(clients, health_officer, monkeypatch):
    case = _case(clients)
    start = dt.date(2026, 3, 2)
    _on(monkeypatch, start)
    actions.accept(health_officer, case)
    deadline = add_working_days(start, 20)
    assert clocks.reading(case, add_working_days(start, 15))["state"] == "running"
    assert clocks.reading(case, add_working_days(start, 16))["state"] == "warned"  # 4 of 20 left = 20 %
    assert clocks.reading(case, deadline)["state"] == "warned"
    assert clocks.reading(case, deadline + dt.timedelta(days=1))["state"] == "overdue"
    # the queue's overdue filter
    Case.objects.filter(pk=case.pk).update(deadline=dt.date(2020, 1, 2))
    assert clients.officer.get("/api/cases?overdue=true").json()["count"] == 1


def test_R9_second_correction_naming_new_material_is_refused(clients, health_officer, cast):
    number = _case(clients).number
    post(clients.officer, f"/api/cases/{number}/actions/accept")
    first = post(clients.officer, f"/api/cases/{number}/actions/request-correction",
                 {"materials": [NOT_TOLERABLE, "近6个月内县级以上医疗机构出具的健康体检证明"], "reason": "不清晰"})
    assert first.status_code == 200
    post(clients.citizen, f"/api/cases/{number}/actions/submit-correction", {"materials": [NOT_TOLERABLE]})
    refused = post(clients.officer, f"/api/cases/{number}/actions/request-correction",
                   {"materials": [TOLERABLE], "reason": "又发现问题"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "materials.0" and "R9" in refused.json()["detail"][0]["message"]
    again = post(clients.officer, f"/api/cases/{number}/actions/request-correction",
                 {"materials": [NOT_TOLERABLE], "reason": "仍不清晰"})
    assert again.status_code == 200
    assert [c["sequence"] for c in again.json()["corrections"]] == [1, 2]


def test_R9_correction_must_name_materials_of_the_case_and_a_reason(clients):
    number = _case(clients).number
    r = post(clients.officer, f"/api/cases/{number}/actions/request-correction", {"materials": ["营业执照"],
                                                                                   "reason": "x"})
    assert r.status_code == 422 and "R11" in r.json()["detail"][0]["message"]
    r = post(clients.officer, f"/api/cases/{number}/actions/request-correction", {"materials": [NOT_TOLERABLE]})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "reason"
    r = post(clients.officer, f"/api/cases/{number}/actions/request-correction", {"reason": "x"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "materials"
    # before acceptance a correction does not touch the clock; the corrected case returns to intake
    r = post(clients.officer, f"/api/cases/{number}/actions/request-correction",
             {"materials": [NOT_TOLERABLE], "reason": "缺少"})
    assert r.json()["status"] == "correction" and r.json()["clock"]["state"] == "not_started"
    r = post(clients.citizen, f"/api/cases/{number}/actions/submit-correction",
             {"materials": [{"name": "营业执照"}]})
    assert r.status_code == 422
    r = post(clients.citizen, f"/api/cases/{number}/actions/submit-correction", {"materials": [NOT_TOLERABLE]})
    assert r.json()["status"] == "submitted"
    assert next(m for m in r.json()["materials"] if m["name"] == NOT_TOLERABLE)["corrected"] is True


def test_R10_only_tolerable_materials_may_be_promised(clients):
    r = file(clients.citizen, materials=[{"name": NOT_TOLERABLE, "provision": "promised"}])
    assert r.status_code == 422 and "R10" in r.json()["detail"][0]["message"]
    r = file(clients.citizen, materials=[{"name": TOLERABLE, "provision": "promised"}, NOT_TOLERABLE])
    assert r.status_code == 201
    provision = {m["name"]: m["provision"] for m in r.json()["materials"]}
    assert provision[TOLERABLE] == "promised" and provision[NOT_TOLERABLE] == "uploaded"
    number = r.json()["number"]
    refused = post(clients.officer, f"/api/cases/{number}/actions/accept", {"missing": [NOT_TOLERABLE]})
    assert refused.status_code == 422 and "R10" in refused.json()["detail"][0]["message"]
    sign_promise(Case.objects.get(number=number))
    accepted = post(clients.officer, f"/api/cases/{number}/actions/accept")
    from django.utils import timezone

    assert accepted.json()["promise"]["due"] == add_working_days(timezone.localdate(), 5).isoformat()


def test_R10_broken_promise_suspends_the_case_never_silently_on(clients, health_officer, cast, monkeypatch):
    case = _case(clients)
    start = dt.date(2026, 3, 2)
    _on(monkeypatch, start)
    actions.accept(health_officer, case, missing=[TOLERABLE])
    promise = CasePromise.objects.get(case=case)
    assert promise.due == add_working_days(start, 5) and promise.materials == [TOLERABLE]
    assert actions.enforce_promises(promise.due) == []  # due that day: not yet broken
    after = promise.due + dt.timedelta(days=1)
    assert actions.enforce_promises(after) == [case.number]
    case.refresh_from_db()
    assert case.status == "suspended"
    assert clocks.reading(case, after)["state"] == "paused"
    assert case.notices.filter(kind="suspension").exists()
    _on(monkeypatch, after + dt.timedelta(days=3))
    actions.supply_promised(cast.citizen, case, materials=[TOLERABLE])
    case.refresh_from_db()
    assert case.status == "accepted"
    assert clocks.reading(case, after + dt.timedelta(days=3))["state"] in ("running", "warned")
    assert CasePromise.objects.get(case=case).fulfilled_at is not None


def test_R12_licence_material_is_fetched_not_uploaded(clients, cast):
    sfz = LicenceType.objects.get(code="ZZ-SFZ")
    r = file(clients.citizen, materials=["申请人居民身份证"])
    assert {m["name"]: m["provision"] for m in r.json()["materials"]}["申请人居民身份证"] == "uploaded"
    LicenceHolding.objects.create(licence_type=sfz, number="SFZ-T-1", holder=cast.citizen.id_number,
                                  holder_name=cast.citizen.name, issuer_id=sfz.issuer_id,
                                  valid_from=dt.date(2020, 1, 1))
    r = file(clients.citizen, materials=["申请人居民身份证"])  # a held licence is never uploaded; unconsented,
    assert {m["name"]: m["provision"] for m in r.json()["materials"]}["申请人居民身份证"] == "missing"  # not fetched
    r = file(clients.citizen, materials=[{"name": "申请人居民身份证", "provision": "fetched"}])  # consented
    m = next(m for m in r.json()["materials"] if m["name"] == "申请人居民身份证")
    assert m["provision"] == "fetched" and m["licence_number"] == "SFZ-T-1"
    form = next(m for m in r.json()["materials"] if m["source"] == "form")
    assert form["provision"] == "uploaded"  # the online form is filled in with the case
    other = file(clients.other)  # another person's licence is not theirs
    assert {m["name"]: m["provision"] for m in other.json()["materials"]}["申请人居民身份证"] == "missing"


def test_R12_confirmed_material_is_offered_for_reuse(clients, django_capture_on_commit_callbacks):
    first = file(clients.citizen, materials=[NOT_TOLERABLE]).json()["number"]
    r = file(clients.citizen, materials=[{"name": NOT_TOLERABLE, "provision": "reused"}])
    assert r.status_code == 422  # not yet confirmed by an officer
    post(clients.officer, f"/api/cases/{first}/actions/accept")
    with django_capture_on_commit_callbacks(execute=True):  # the vault keeps it once the case is approved
        post(clients.officer, f"/api/cases/{first}/actions/approve")
    r = file(clients.citizen, materials=[{"name": NOT_TOLERABLE, "provision": "reused"}])
    assert r.status_code == 201
    assert {m["name"]: m["provision"] for m in r.json()["materials"]}[NOT_TOLERABLE] == "reused"
    r = file(clients.other, materials=[{"name": NOT_TOLERABLE, "provision": "reused"}])
    assert r.status_code == 422  # nobody reuses another's material


def test_clock_is_recomputed_from_events_not_stored(clients, health_officer, monkeypatch):
    case = _case(clients)
    _on(monkeypatch, dt.date(2026, 3, 2))
    actions.accept(health_officer, case)
    CaseClockEvent.objects.filter(case=case).update(on=dt.date(2026, 2, 2))  # backdated start
    case = Case.objects.get(pk=case.pk)
    assert clocks.reading(case, dt.date(2026, 3, 2))["days_used"] == working_days_between(dt.date(2026, 2, 2),
                                                                                         dt.date(2026, 3, 2))


def test_scheduled_jobs_run(clients, health_officer, monkeypatch):
    from tongban.cases import tasks

    case = _case(clients)
    _on(monkeypatch, dt.date(2026, 3, 2))
    actions.accept(health_officer, case, missing=[TOLERABLE])
    monkeypatch.undo()  # the jobs run today
    Case.objects.filter(pk=case.pk).update(deadline=None)
    assert tasks.recompute_clocks.apply().get() == 1
    assert Case.objects.get(pk=case.pk).deadline == add_working_days(dt.date(2026, 3, 2), 20)
    assert tasks.enforce_promises.apply().get() == [case.number]  # due in March, long past


def test_R10_an_online_promise_is_signed_with_an_sms_code_before_acceptance(clients,
                                                                            django_capture_on_commit_callbacks):
    import re

    from tongban.identity.models import SmsMessage

    r = file(clients.citizen, materials=[{"name": TOLERABLE, "provision": "promised"}, NOT_TOLERABLE])
    number = r.json()["number"]
    unsigned = post(clients.officer, f"/api/cases/{number}/actions/accept")
    assert unsigned.status_code == 409 and "短信验证码签署" in unsigned.json()["detail"]
    assert post(clients.other, f"/api/cases/{number}/actions/send-promise-code").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert post(clients.citizen, f"/api/cases/{number}/actions/send-promise-code").status_code == 200
    case = Case.objects.get(number=number)
    text = SmsMessage.objects.filter(phone=case.applicant.phone).latest("created_at").text
    assert "容缺受理承诺" in text and TOLERABLE in text
    code = re.search(r"验证码(\d{6})", text).group(1)
    wrong = post(clients.citizen, f"/api/cases/{number}/actions/sign-promise", {"code": "000000" if code != "000000"
                                                                                   else "111111"})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "code"
    assert post(clients.citizen, f"/api/cases/{number}/actions/sign-promise", {"code": code}).status_code == 200
    again = post(clients.citizen, f"/api/cases/{number}/actions/sign-promise", {"code": code})
    assert again.status_code == 409
    assert CasePromise.objects.get(case=case).sms_verified is True
    assert post(clients.officer, f"/api/cases/{number}/actions/accept").status_code == 200
