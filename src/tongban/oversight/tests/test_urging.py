"""督办 from the supervision queue (issue 9 item 5) through the hotline's urging mechanism — one
mechanism, not two: the supervisor urges the department about an alert's case (API and page),
the department's head replies in the hotline's urging, the alert shows the urging's state and
reply, an unanswered urging escalates there to 通报, and the monthly report lists the 通报."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongban.cases.tests.helpers import pdf_text, staff_client
from tongban.hotline import urging_actions
from tongban.hotline.models import Urging
from tongban.oversight import actions
from tongban.oversight.models import Alert
from tongban.testing import api_client

from .helpers import post
from .test_scan import _accepted

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(cast, catalog, health_officer):
    case = _accepted(cast, health_officer, 25)
    actions.scan()
    return Alert.objects.get(case=case, kind="overdue")


def _urge(user, alert, **body):
    return post(api_client(user), f"/api/oversight/alerts/{alert.pk}/urge", body)


def _listed(user, alert):
    items = api_client(user).get("/api/oversight/alerts").json()["items"]
    return next(i for i in items if i["id"] == alert.pk)


def test_supervisor_urges_an_alerts_case_through_the_hotline_and_sees_the_reply(cast, alert, health_head,
                                                                                health_officer):
    assert _urge(health_officer, alert).status_code == 403  # the supervision queue is the supervisors'
    bad = _urge(cast.supervisor, alert, level="严办")
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "level"
    r = _urge(cast.supervisor, alert, level="督办")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "acknowledged"
    [urging] = body["urgings"]
    assert urging["level"] == "督办" and urging["state"] == "open" and urging["reply_due"]
    assert urging["target"] == {"kind": "case", "number": alert.case.number}
    assert "超期" in urging["reason"]  # the default reason names the finding
    stored = Urging.objects.get()
    assert (stored.department_id, stored.region_id) == ("health", alert.case.region_id)
    assert _urge(cast.supervisor, alert, level="督办").status_code == 409  # a double click → one urging
    assert Urging.objects.count() == 1
    urging_actions.reply(health_head, stored.pk, "已督促经办人，三个工作日内办结")
    shown = _listed(cast.supervisor, alert)["urgings"][0]
    assert shown["state"] == "replied" and shown["reply"]["text"] == "已督促经办人，三个工作日内办结"


def test_a_closed_alert_cannot_be_urged(cast, alert):
    post(api_client(cast.supervisor), f"/api/oversight/alerts/{alert.pk}/dismiss", {"reason": "已报请延期"})
    assert _urge(cast.supervisor, alert).status_code == 409
    assert not Urging.objects.exists()


def test_urging_from_the_queue_page(cast, alert):
    page = staff_client(cast.supervisor)
    html = page.get("/oversight/alerts/").content.decode()
    assert "发出督办" in html and "未督办" in html
    refused = page.post(f"/oversight/alerts/{alert.pk}/urge/", {"level": "严办", "reason": "x"})
    assert refused.status_code == 422 and "督办级别" in refused.content.decode()
    done = page.post(f"/oversight/alerts/{alert.pk}/urge/", {"level": "催办", "reason": "请尽快办结并回复"})
    assert done.status_code == 302
    html = page.get("/oversight/alerts/").content.decode()
    assert "催办</strong> · 待回复" in html
    assert Urging.objects.get().reason == "请尽快办结并回复"


def test_unanswered_urging_escalates_to_a_notice_listed_in_the_monthly_report(cast, alert, tmp_path):
    assert _urge(cast.supervisor, alert, level="督办").status_code == 200
    [notice] = urging_actions.escalate_overdue(timezone.now() + dt.timedelta(days=30))
    assert notice.level == "通报" and notice.target_number == alert.case.number
    shown = _listed(cast.supervisor, alert)["urgings"]
    assert [(u["level"], u["state"]) for u in shown] == [("通报", "open"), ("督办", "overdue")]
    out = tmp_path / "r.pdf"
    call_command("oversight", "report", "--region", "210200", "--month", timezone.localdate().strftime("%Y-%m"),
                 "--output", str(out))
    text = pdf_text(out.read_bytes())
    assert "督查通报" in text and alert.case.number in text.replace("\n", "")
