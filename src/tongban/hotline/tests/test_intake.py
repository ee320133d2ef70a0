"""Intake (INTERFACES.md "Hotline"), R24 deadlines, idempotency, bad input, duplicates."""

import datetime as dt
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.core.calendar import is_working_day
from tongban.hotline import deadlines
from tongban.hotline.constants import DEFAULT_POLICY, Category
from tongban.hotline.deadlines import TZ

from .conftest import file, post

NOISE = "中山区解放路和五五路交口有个井盖丢了，晚上很危险"


def test_intake_answers_the_interface_shape(hotline):
    r = file(hotline.operator, "沙河口区西南路一家烧烤店每天晚上油烟特别大，窗户都不敢开，希望管一管")
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == {"number", "category", "suggested_department", "duplicates", "deadline"}
    assert body["category"] == "投诉"
    assert "城市管理" in body["suggested_department"]["name"]
    assert body["suggested_department"]["source"] == "model"
    assert 0 < body["suggested_department"]["confidence"] <= 1
    assert len(body["number"]) == 12 and body["number"].isdigit()


def test_region_picks_the_district_department(hotline):
    """A district branch of the kind (西岗区人社局) wins over the city's for a 西岗区 ticket."""
    r = file(hotline.operator, "公司已经两个月没发工资了，老板说没钱", region="210203")
    assert r.status_code == 201
    assert r.json()["suggested_department"]["id"] == "xigang-hrss"


def test_routing_rule_takes_precedence(hotline):
    from tongban.hotline.models import RoutingRule

    RoutingRule.objects.create(name="地铁施工", keywords="地铁,施工", department_kind="transport", priority=5)
    r = file(hotline.operator, "地铁施工晚上噪音太大了，吵得睡不着")
    dept = r.json()["suggested_department"]
    assert dept["id"] == "transport" and dept["source"] == "rule:地铁施工" and dept["confidence"] == 1.0


def test_idempotency_key_returns_the_first_ticket(hotline):
    key = str(uuid.uuid4())
    first = post(hotline.operator, "/api/hotline/tickets", {"text": NOISE, "phone": "13904110001"},
                 **{"Idempotency-Key": key})
    again = post(hotline.operator, "/api/hotline/tickets", {"text": NOISE, "phone": "13904110001"},
                 **{"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert first.json()["number"] == again.json()["number"]


@pytest.mark.parametrize(("body", "field"), [
    ({"text": ""}, "text"),
    ({"text": "字" * 4001}, "text"),
    ({"text": "路灯坏了", "phone": "12345"}, "phone"),
    ({"text": "路灯坏了", "region": "999999"}, "region"),
    ({"text": "路灯坏了", "latitude": 31.2, "longitude": 121.5}, "latitude"),
])
def test_bad_input_is_422_with_field(hotline, body, field):
    r = post(hotline.operator, "/api/hotline/tickets", {"channel": "phone", **body})
    assert r.status_code == 422, r.content
    assert field in [d["field"] for d in r.json()["detail"]]


def test_other_staff_cannot_file_and_citizens_file_on_the_web(hotline):
    assert file(hotline.market, "路灯坏了").status_code == 403
    r = post(hotline.citizen, "/api/hotline/tickets", {"text": "家门口路灯坏了一个月了", "channel": "phone"})
    assert r.status_code == 201
    from tongban.hotline.models import Ticket

    assert Ticket.objects.get(number=r.json()["number"]).channel == "web"


def test_anonymous_report_gets_a_one_time_secret(hotline):
    r = post(hotline.operator, "/api/hotline/tickets",
             {"text": "举报中山区某超市卖过期的牛奶，日期都改过了", "anonymous": True})
    body = r.json()
    assert body["category"] == "举报" and body["tracking_secret"]
    found = hotline.anonymous.get(f"/api/hotline/tickets/{body['number']}?secret={body['tracking_secret']}")
    assert found.status_code == 200 and found.json()["caller"]["phone"] == ""


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(dt.date(2025, 1, 1), dt.date(2026, 11, 30)), hour=st.integers(0, 23),
       category=st.sampled_from(Category.values), urgent=st.booleans())
def test_r24_deadline_never_on_a_non_working_day_except_urgent_hours(db, day, hour, category, urgent):
    filed = dt.datetime.combine(day, dt.time(hour, 30), tzinfo=TZ)
    deadline = deadlines.deadline_for(category, urgent, filed, DEFAULT_POLICY)
    if urgent:
        assert deadline - filed == dt.timedelta(hours=24)
    else:
        assert is_working_day(deadline.astimezone(TZ).date())
        assert deadline > filed
        if category == "建议":
            assert deadline > deadlines.deadline_for("投诉", False, filed, DEFAULT_POLICY)
    longer = deadlines.extended(deadline, 3)
    assert longer >= deadline  # an extension never shortens


def test_r24_deadline_of_filing_survives_a_policy_change(hotline, settings):
    from tongban.hotline.models import Ticket

    number = file(hotline.operator, "小区门口的路灯坏了好几天了").json()["number"]
    before = Ticket.objects.get(number=number).deadline
    settings.TONGBAN_HOTLINE_POLICY = {**DEFAULT_POLICY, "version": "changed",
                                       "working_days": dict.fromkeys(DEFAULT_POLICY["working_days"], 6)}
    t = Ticket.objects.get(number=number)
    assert t.deadline == before and t.policy["version"] == "R24-2020"
    later = file(hotline.operator, "小区门口的路灯又坏了").json()["number"]
    assert Ticket.objects.get(number=later).policy["version"] == "changed"


def test_duplicates_paraphrase_on_one_street_linked_other_district_not(hotline):
    a = file(hotline.operator, NOISE).json()["number"]
    b = file(hotline.operator, "五五路解放路路口那个井盖没了，刚才有电动车差点掉进去").json()
    assert a in b["duplicates"]
    c = file(hotline.operator, "金州区斯大林路有个井盖松动，车一压就响").json()
    assert a not in c["duplicates"]
    d = file(hotline.operator, "解放路五五路路口的路灯不亮了，晚上黑乎乎的").json()
    assert a not in d["duplicates"]  # the same place, another problem


def test_duplicates_look_alikes_at_another_window_stay_apart(hotline):
    a = file(hotline.operator, "西岗区政务服务中心3号窗口的工作人员态度很差，问什么都不耐烦").json()["number"]
    b = file(hotline.operator, "西岗区政务服务中心5号窗口的工作人员态度很差，爱答不理").json()
    assert a not in b["duplicates"]
    c = file(hotline.operator, "西岗区政务服务中心3号窗口那个工作人员服务态度太差了").json()
    assert a in c["duplicates"]
