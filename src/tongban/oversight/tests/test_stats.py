"""R28 statistics: the overview counts a review given just now (today is live), answers 422
naming the field for a reversed or too long range and an unknown region, 403 for whoever is
not a supervisor, head or administrator; the public page and the Excel export show the same
numbers; the overview stays within 20 queries."""

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tongban.oversight import stats
from tongban.testing import api_client

from ..actions import refresh_statistics
from .helpers import post

pytestmark = pytest.mark.django_db


def _dept(body, dept_id):
    return next(d for d in body["departments"] if d["id"] == dept_id)


def test_R28_overview_counts_a_fresh_review_for_the_department(cast, approved):
    assert post(api_client(cast.citizen), "/api/reviews", {"case": approved.number, "level": 1,
                                                           "comment": "等了很久"}).status_code == 201
    r = api_client(cast.supervisor).get("/api/stats/overview")
    assert r.status_code == 200, r.content
    body = r.json()
    today = timezone.localdate()
    assert body["region"] == "210200" and body["from"] == f"{today.year}-01-01" and body["to"] == today.isoformat()
    health = _dept(body, "health")
    assert health["reviews"]["1"] == 1 and health["bad_review_rate"] == 1.0
    assert health["rectification"]["opened"] == 1 and health["rectification"]["follow_up_rate"] == 0.0
    assert health["filed"] == 1 and health["decided"] == 1 and health["online_rate"] == 1.0
    assert set(health) >= {"id", "name", "online_rate", "materials_avoided", "time_used_vs_promised", "days_used",
                           "days_promised", "reviews", "bad_review_rate", "backlog", "overdue"}
    # R28: the public page (no login) and the Excel export show the same numbers
    page = Client().get("/reviews/stats/")
    assert page.status_code == 200 and 'data-department="health"' in page.content.decode()
    xlsx = Client().get("/reviews/stats/export.xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] == health["name"])
    assert row[12] == health["reviews"]["1"] and row[1] == health["filed"]


def test_R28_bad_ranges_and_regions_are_422_naming_the_field(cast):
    client = api_client(cast.supervisor)
    for query, field in (("?from=2026-05-01&to=2026-04-01", "to"), ("?from=2015-01-01&to=2026-01-01", "from"),
                         ("?region=999999", "region"), ("?from=yesterday", "from")):
        r = client.get("/api/stats/overview" + query)
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == field, (query, r.content)
    assert Client().get("/reviews/stats/?region=999999").status_code == 422


def test_R28_overview_is_for_supervisors_heads_and_admins(cast):
    for user in (cast.citizen, cast.officer_a, cast.window, cast.editor):
        assert api_client(user).get("/api/stats/overview").status_code == 403
    assert api_client(cast.admin).get("/api/stats/overview").status_code == 200
    assert api_client().get("/api/stats/overview").status_code == 401


def test_R28_head_sees_own_department_only(cast, approved, health_head):
    post(api_client(cast.citizen), "/api/reviews", {"case": approved.number, "level": 5})
    assert [d["id"] for d in api_client(health_head).get("/api/stats/overview").json()["departments"]] == ["health"]
    assert api_client(cast.head).get("/api/stats/overview").json()["departments"] == []


def test_R28_summaries_and_live_give_the_same_overview(cast, approved):
    post(api_client(cast.citizen), "/api/reviews", {"case": approved.number, "level": 2})
    today = timezone.localdate()
    live = stats.overview(today - dt.timedelta(days=3), today, None)
    refresh_statistics()  # today stays live; past days summarised
    summarised = stats.overview(today - dt.timedelta(days=3), today, None)
    assert summarised.pop("as_of") >= live.pop("as_of")  # read again: the summaries changed the state
    assert summarised == live


def test_overview_query_count_guard(cast, approved, django_assert_max_num_queries):
    post(api_client(cast.citizen), "/api/reviews", {"case": approved.number, "level": 1})
    refresh_statistics()
    client = api_client(cast.supervisor)
    client.get("/api/stats/overview")  # the token's first use
    with django_assert_max_num_queries(20):
        assert client.get("/api/stats/overview").status_code == 200
    with django_assert_max_num_queries(20):
        assert Client().get("/reviews/stats/").status_code == 200


def test_stats_rebuild_command(cast, approved, capsys):
    from django.core.management import call_command

    today = timezone.localdate()
    call_command("stats", "rebuild", "--from", (today - dt.timedelta(days=2)).isoformat(), "--to", today.isoformat())
    assert "已重建" in capsys.readouterr().out
