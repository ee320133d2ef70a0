"""Visits per case and the 最多跑一次 rate (S0 二(三), S3 16), per department, item and officer,
in the overview, the drill-down API and page (city → district → department → item → cases and
officers, scoped to the viewer), from summaries and live alike, within 20 queries a page."""

import datetime as dt

import pytest
from django.db.models import F
from django.utils import timezone

from tongban.cases.models import Case, CaseClockEvent
from tongban.identity.models import Region
from tongban.reviews import actions as review_actions
from tongban.reviews.models import WindowVisit
from tongban.reviews.tests.conftest import ITEM, decided_case
from tongban.testing import api_client

from ..actions import refresh_statistics

pytestmark = pytest.mark.django_db


def _visit(officer, case, days_ago=0):
    visit = review_actions.register_visit(officer, item=ITEM, question="咨询材料", answer="已告知", case=case.number)
    WindowVisit.objects.filter(pk=visit.pk).update(at=timezone.now() - dt.timedelta(days=days_ago))
    return visit


@pytest.fixture
def three(cast, catalog, health_officer):
    """Online with no visit (一次不用跑); filed at the window with a visit that same day (one
    visit); online with visits on two different days (two visits)."""
    none = decided_case(cast.citizen, health_officer)
    window = decided_case(cast.citizen, health_officer)
    Case.objects.filter(pk=window.pk).update(channel="window")
    _visit(health_officer, window)
    twice = decided_case(cast.other_citizen, health_officer)
    _visit(health_officer, twice, days_ago=3)
    _visit(health_officer, twice, days_ago=1)
    return none, window, twice


def _health(client, **query):
    body = client.get("/api/stats/overview", query).json()
    return next(d for d in body["departments"] if d["id"] == "health")


def test_visits_per_case_and_at_most_one_visit_rate_in_the_overview(cast, three):
    health = _health(api_client(cast.supervisor))
    assert health["decided"] == 3 and health["visits"] == 3
    assert health["visits_per_case"] == 1.0
    assert health["at_most_one_visit_rate"] == round(2 / 3, 4)
    assert health["zero_visit_rate"] == round(1 / 3, 4)
    assert health["meeting_rate"] == round(2 / 3, 4)


def test_visit_rates_from_summaries_equal_live_and_a_late_visit_refreshes_its_decision_day(cast, three,
                                                                                          health_officer):
    none, _, _ = three
    past = timezone.now() - dt.timedelta(days=4)
    Case.objects.filter(pk__in=[c.pk for c in three]).update(decided_at=past + dt.timedelta(minutes=1),
                                                             submitted_at=past, accepted_on=timezone.localdate(past))
    CaseClockEvent.objects.filter(case__in=three).update(on=timezone.localdate(past))
    WindowVisit.objects.all().update(at=F("at") - dt.timedelta(days=4))  # the same days apart as before
    client = api_client(cast.supervisor)
    start = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    live = _health(client, **{"from": start})
    refresh_statistics()  # the decision day is summarised now
    summarised = _health(client, **{"from": start})
    assert summarised == live and summarised["visits_per_case"] == 1.0
    _visit(health_officer, none)  # a visit registered after the decision (e.g. to collect the licence)
    refresh_statistics()
    after = _health(client, **{"from": start})
    assert after["visits"] == 4 and after["zero_visit_rate"] == 0.0


def test_drill_down_department_item_cases_and_officers(cast, three, health_officer):
    client = api_client(cast.supervisor)
    items = client.get("/api/stats/breakdown", {"by": "item", "department": "health"})
    assert items.status_code == 200, items.content
    row = next(r for r in items.json()["rows"] if r["id"] == ITEM)
    assert row["decided"] == 3 and row["visits_per_case"] == 1.0 and row["name"] != ITEM
    cases = client.get("/api/stats/cases", {"department": "health", "item": ITEM})
    assert cases.status_code == 200, cases.content
    body = cases.json()
    visits = {c["number"]: c["visits"] for c in body["cases"]["items"]}
    assert visits == {three[0].number: 0, three[1].number: 1, three[2].number: 2}
    [officer] = body["officers"]
    assert officer["decided"] == 3 and officer["at_most_one_visit_rate"] == round(2 / 3, 4)
    districts = client.get("/api/stats/breakdown", {"by": "region"})
    children = set(Region.objects.filter(parent_id="210200").values_list("pk", flat=True))
    assert districts.status_code == 200 and {r["id"] for r in districts.json()["rows"]} <= children


def test_drill_down_bad_input_and_scope(cast, three):
    sup = api_client(cast.supervisor)
    assert sup.get("/api/stats/breakdown", {"by": "officer"}).json()["detail"][0]["field"] == "by"
    assert sup.get("/api/stats/breakdown", {"by": "item"}).json()["detail"][0]["field"] == "department"
    assert sup.get("/api/stats/breakdown", {"by": "item", "department": "nope"}).status_code == 422
    empty = sup.get("/api/stats/cases", {"department": "", "item": ""})  # found by the deep fuzz: was a 500
    assert empty.status_code == 422 and {d["field"] for d in empty.json()["detail"]} == {"department", "item"}
    wrong = sup.get("/api/stats/cases", {"department": "market", "item": ITEM})  # not a market item
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "item"
    head = api_client(cast.head)  # the market head: not health's figures
    assert head.get("/api/stats/cases", {"department": "health", "item": ITEM}).status_code == 404
    assert head.get("/api/stats/breakdown", {"by": "item", "department": "health"}).status_code == 404
    assert head.get("/api/stats/breakdown", {"by": "region"}).status_code == 422  # a head names their department
    assert api_client(cast.citizen).get("/api/stats/breakdown").status_code == 403
    assert api_client(cast.officer_a).get("/api/stats/cases", {"department": "market", "item": ITEM}) \
        .status_code == 403


def _verified(client, user):
    """Signed in with the second factor done (staff pages need TOTP), as django_otp.login would."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_drill_down_page_levels_within_20_queries(cast, three, django_assert_max_num_queries, client):
    _verified(client, cast.supervisor)
    client.get("/oversight/stats/")  # the session's first use
    with django_assert_max_num_queries(20):
        top = client.get("/oversight/stats/")
    assert top.status_code == 200 and 'data-department="health"' in top.content.decode()
    with django_assert_max_num_queries(20):
        items = client.get("/oversight/stats/", {"department": "health"})
    assert f'data-item="{ITEM}"' in items.content.decode()
    with django_assert_max_num_queries(20):
        cases = client.get("/oversight/stats/", {"department": "health", "item": ITEM})
    html = cases.content.decode()
    assert cases.status_code == 200 and all(c.number in html for c in three) and "一次不用跑" in html
    bad = client.get("/oversight/stats/", {"from": "2026-05-01", "to": "2026-01-01"})
    assert bad.status_code == 422 and "结束日期" in bad.content.decode()
    client.force_login(cast.citizen)
    assert client.get("/oversight/stats/").status_code == 403


def test_every_dashboard_page_and_table_within_20_queries(cast, three, django_assert_max_num_queries, client):
    """Issue 9 "Measure": each dashboard page ≤ 20 queries — the drill-down of a district, the
    public page's Excel export, the breakdown and case tables of the API and the alert queue,
    with summarised days and a live today both present."""
    refresh_statistics()
    _verified(client, cast.supervisor)
    client.get("/oversight/stats/")  # the session's first use
    pages = [("/oversight/stats/", {"region": "210202"}), ("/oversight/alerts/", {}),
             ("/reviews/stats/", {"region": "210202"}), ("/reviews/stats/export.xlsx", {})]
    for path, params in pages:
        with django_assert_max_num_queries(20):
            assert client.get(path, params).status_code == 200, path
    sup = api_client(cast.supervisor)
    sup.get("/api/stats/overview")  # the token's first use
    tables = [("/api/stats/breakdown", {"by": "region"}), ("/api/stats/breakdown", {"by": "department"}),
              ("/api/stats/breakdown", {"by": "item", "department": "health"}),
              ("/api/stats/cases", {"department": "health", "item": ITEM}),
              ("/api/stats/overview", {"region": "210202"}), ("/api/oversight/alerts", {})]
    for path, params in tables:
        with django_assert_max_num_queries(20):
            assert sup.get(path, params).status_code == 200, (path, params)


def test_the_open_cases_index_names_every_open_status():
    """The partial index the backlog reads (cases migration 0006) lists exactly the open states:
    a new open state left out would make PostgreSQL fall back to reading the whole table."""
    import importlib

    from tongban.cases.constants import OPEN

    migration = importlib.import_module("tongban.cases.migrations.0006_stats_indexes")
    listed = {s.strip(" '") for s in migration.OPEN.strip("()").split(",")}
    assert listed == {str(s) for s in OPEN}
