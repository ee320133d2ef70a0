"""R5 late in the year: a 建议 (15 working days) filed on 2026-12-20 reaches 2027, a year
chinese-calendar does not know. The ticket is accepted with a pending deadline (None, never a
guess), every reader copes with it, and entering the year fills it."""

import datetime as dt

import pytest

from tongban.hotline import actions, tasks
from tongban.hotline.deadlines import TZ
from tongban.hotline.models import Ticket

from .conftest import file, page_client, post

pytestmark = pytest.mark.real_calendar
SUGGESTION = "建议在星海广场附近多设几个公共自行车停放点，方便市民出行"
FILED = dt.datetime(2026, 12, 20, 10, 0, tzinfo=TZ)


@pytest.fixture
def december(monkeypatch):
    monkeypatch.setattr(actions, "_now", lambda: FILED)


def _file_suggestion(hotline):
    r = file(hotline.operator, SUGGESTION, category="建议")
    assert r.status_code == 201, r.content
    return r.json()


def test_R5_suggestion_filed_late_in_december_is_accepted_with_a_pending_deadline(hotline, december):
    body = _file_suggestion(hotline)
    assert set(body) == {"number", "category", "suggested_department", "duplicates", "deadline"}
    assert body["category"] == "建议" and body["deadline"] is None
    t = Ticket.objects.get(number=body["number"])
    assert t.deadline is None and t.first_deadline is None and t.deadline_plan[0]["days"] == 15
    queue = hotline.operator.get("/api/hotline/tickets").json()["items"]
    assert next(r for r in queue if r["number"] == t.number)["deadline"] is None
    assert hotline.operator.get(f"/api/hotline/tickets/{t.number}").json()["deadline"] is None
    tracked = hotline.anonymous.get(f"/api/hotline/tickets/{t.number}?phone_last4=0000")
    assert tracked.status_code == 200 and tracked.json()["deadline"] is None


def test_R5_pending_deadline_pages_say_so_and_sort_last(hotline, december):
    number = _file_suggestion(hotline)["number"]
    soon = file(hotline.operator, "西岗区八一路的路灯坏了", phone="13904110001").json()["number"]
    client = page_client(hotline.cast.hotline)
    page = client.get(f"/hotline/tickets/{number}/")
    assert page.status_code == 200 and "待定（待工作日历录入后计算）" in page.content.decode()
    queue = client.get("/hotline/queue/").content.decode()
    assert "待定" in queue and queue.index(soon) < queue.index(number)
    tracked = hotline.anonymous.post("/hotline/track", {"number": number, "phone_last4": "0000"})
    assert "待工作日历录入后计算" in tracked.content.decode()


def test_R5_workflow_and_statistics_cope_with_a_pending_deadline(hotline, december):
    number = _file_suggestion(hotline)["number"]
    act = lambda who, action, **b: post(who, f"/api/hotline/tickets/{number}/actions/{action}", b)  # noqa: E731
    assert act(hotline.operator, "dispatch", department="urban-mgmt").status_code == 200
    assert act(hotline.urban, "request-extension", reason="需协调规划部门选址", days=5).status_code == 200
    assert act(hotline.operator, "decide-extension", approve=True).status_code == 200
    t = Ticket.objects.get(number=number)
    assert t.deadline is None and t.deadline_plan[-1] == {"extend": 5}
    stats = hotline.operator.get("/api/hotline/stats/overview?from=2026-12-01&to=2026-12-31")
    assert stats.status_code == 200


def test_R5_entering_the_year_fills_the_pending_deadline(hotline, december):
    from tongban.core.models import CalendarYear

    number = _file_suggestion(hotline)["number"]
    assert actions.fill_pending_deadlines() == []  # 2027 still unknown: nothing guessed
    CalendarYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")
    assert tasks.fill_pending_deadlines.apply().get() == 1
    t = Ticket.objects.get(number=number)
    # 9 working days left in 2026 (21–25, 28–31 December), then 1 and 4–8 January 2027
    assert t.deadline == t.first_deadline == dt.datetime(2027, 1, 8, 23, 59, 59, tzinfo=TZ)
    assert t.steps.filter(action="deadline-filled").exists()
    assert actions.fill_pending_deadlines() == []  # idempotent
