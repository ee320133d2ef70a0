"""效能监察 scan: each kind fires on a crafted case and stays silent on an ordinary one (R8 warned
and overdue, stalled, decided too fast, decided without reading the materials, repeated
corrections R9); one open alert per object and kind; resolved when its condition ends;
dismissed only with a reason (422)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongban.cases import actions as case_actions
from tongban.cases.models import Case, CaseStep, CorrectionRequest
from tongban.cases.tests.helpers import backdate
from tongban.oversight import actions
from tongban.oversight.models import Alert
from tongban.reviews.tests.conftest import ITEM, decided_case
from tongban.testing import api_client

from .helpers import post

pytestmark = pytest.mark.django_db


def _accepted(cast, officer, working_days_ago=0):
    case = case_actions.submit(cast.citizen, item=ITEM, region="210200")
    case_actions.accept(officer, case)
    if working_days_ago:
        backdate(case, working_days_ago)
    case.refresh_from_db()
    return case


def _kinds(case):
    return set(Alert.objects.filter(case=case, state__in=actions.ACTIVE).values_list("kind", flat=True))


def test_R8_warned_and_overdue_fire_and_fresh_case_is_silent(cast, catalog, health_officer):
    fresh = _accepted(cast, health_officer)
    # warned (R8): 3 working days left of a 20-day limit (≤ 20 %) — on any day of the week (a
    # 3-day promise cannot be "warned" on a weekend: its deadline is a working day already past)
    warned = _accepted(cast, health_officer)
    Case.objects.filter(pk=warned.pk).update(promised_days=warned.legal_days)
    backdate(warned, warned.legal_days - 3)
    late = _accepted(cast, health_officer, 25)  # past the 20-day legal limit
    actions.scan()
    assert _kinds(fresh) == set()
    assert "warned" in _kinds(warned) and "overdue" not in _kinds(warned)
    assert "overdue" in _kinds(late)
    assert Alert.objects.get(case=late, kind="overdue").severity == "critical"
    actions.scan()  # one open alert per object and kind
    assert Alert.objects.filter(case=late, kind="overdue").count() == 1
    case_actions.approve(health_officer, late)  # the condition ends: resolved by the scan
    actions.scan()
    assert Alert.objects.get(case=late, kind="overdue").state == "resolved"


def test_a_clock_that_cannot_be_read_is_skipped_and_the_scan_goes_on(cast, catalog, health_officer):
    """Found by bench_stats at 1M cases: one accepted case whose clock starts tomorrow stopped
    the whole scan with a ClockError."""
    from tongban.cases.models import CaseClockEvent

    odd = _accepted(cast, health_officer)
    CaseClockEvent.objects.filter(case=odd).update(on=timezone.localdate() + dt.timedelta(days=1))
    late = _accepted(cast, health_officer, 25)
    actions.scan()
    assert "overdue" in _kinds(late) and _kinds(odd) == set()


def test_stalled_fires_after_idle_working_days_and_not_before(cast, catalog, health_officer):
    idle = _accepted(cast, health_officer, 6)
    busy = _accepted(cast, health_officer, 1)
    actions.scan()
    assert "stalled" in _kinds(idle) and "stalled" not in _kinds(busy)


def test_decided_too_fast_fires_below_the_item_minimum(cast, catalog, health_officer, settings):
    settings.TONGBAN_MIN_DECISION_MINUTES = {ITEM: 60}
    quick = decided_case(cast.citizen, health_officer)
    slow = _accepted(cast, health_officer)
    CaseStep.objects.filter(case=slow, action="accept").update(at=timezone.now() - dt.timedelta(hours=3))
    case_actions.approve(health_officer, slow)
    actions.scan()
    assert "too_fast" in _kinds(quick) and "too_fast" not in _kinds(slow)


def test_decided_without_reading_the_materials_fires(cast, catalog, health_officer):
    unread = decided_case(cast.citizen, health_officer)
    read = _accepted(cast, health_officer)
    assert api_client(health_officer).get(f"/api/cases/{read.number}").status_code == 200  # audit: read:case
    case_actions.approve(health_officer, read)
    actions.scan()
    assert "unread" in _kinds(unread) and "unread" not in _kinds(read)


def test_R9_repeated_corrections_fire_and_a_single_one_is_silent(cast, catalog, health_officer):
    twice, once = _accepted(cast, health_officer), _accepted(cast, health_officer)
    for case, n in ((twice, 2), (once, 1)):
        for seq in range(1, n + 1):
            CorrectionRequest.objects.create(case=case, sequence=seq, materials=["身份证"], reason="不清晰",
                                             sent_at=timezone.now())
    actions.scan()
    assert "corrections" in _kinds(twice) and "corrections" not in _kinds(once)


def test_alert_dismissed_only_with_reason_and_only_by_supervisors(cast, catalog, health_officer):
    case = _accepted(cast, health_officer, 25)
    call_command("oversight", "scan")
    alert = Alert.objects.get(case=case, kind="overdue")
    sup = api_client(cast.supervisor)
    assert api_client(health_officer).get("/api/oversight/alerts").status_code == 403
    assert sup.get("/api/oversight/alerts").json()["count"] >= 1
    assert post(sup, f"/api/oversight/alerts/{alert.pk}/acknowledge").status_code == 200
    assert post(sup, f"/api/oversight/alerts/{alert.pk}/acknowledge").status_code == 409
    r = post(sup, f"/api/oversight/alerts/{alert.pk}/dismiss", {"reason": ""})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "reason"
    r = post(sup, f"/api/oversight/alerts/{alert.pk}/dismiss", {"reason": "已报请延期"})
    assert r.status_code == 200 and r.json()["state"] == "dismissed"


def test_monthly_report_is_a_chinese_pdf(cast, approved, tmp_path):
    from tongban.cases.tests.helpers import pdf_text

    out = tmp_path / "r.pdf"
    month = timezone.localdate().strftime("%Y-%m")
    call_command("oversight", "report", "--region", "210200", "--month", month, "--output", str(out))
    assert "政务服务效能监察月报" in pdf_text(out.read_bytes())
