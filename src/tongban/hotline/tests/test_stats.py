"""Statistics and hot topics (issue 8 item 10): honest on-time, satisfaction with the
unreachable counted against, the daily summaries agreeing with the live figures, a rising
subject found, the scope of each viewer."""

import datetime as dt

from django.utils import timezone

from tongban.hotline import stats
from tongban.hotline.models import DailyTicketStat, Ticket
from tongban.testing import api_client

from .conftest import file, page_client, post

NOISE = "沙河口区西南路的工地半夜还在施工，噪音太大睡不着"


def act(client, number, action, **body):
    r = post(client, f"/api/hotline/tickets/{number}/actions/{action}", body)
    assert r.status_code == 200, (action, r.content)
    return r


def closed(hotline, text=NOISE, phone="13904110000", level=5, resolved=True):
    number = file(hotline.operator, text, phone=phone).json()["number"]
    act(hotline.operator, number, "dispatch", department="urban-mgmt")
    act(hotline.urban, number, "reply", reply="已到现场责令工地夜间停止施工，并清理了现场，问题已解决。",
        result_type="resolved")
    act(hotline.operator, number, "accept-reply")
    if level is not None:
        act(hotline.operator, number, "callback", level=level, resolved=resolved)
    return number


def test_honest_on_time_excludes_reopened_and_late_and_counts_overdue_open(hotline):
    on_time = closed(hotline)
    reopened = closed(hotline, phone="13904110001", level=1, resolved=False)  # reopens: never on time
    late = closed(hotline, phone="13904110002", level=None)
    Ticket.objects.filter(number=late).update(first_deadline=timezone.now() - dt.timedelta(hours=1))
    overdue = file(hotline.operator, NOISE, phone="13904110003").json()["number"]
    Ticket.objects.filter(number=overdue).update(deadline=timezone.now() - dt.timedelta(hours=1))
    unreachable = closed(hotline, phone="13904110004", level=None)
    act(hotline.operator, unreachable, "callback", unreachable=True)
    data = api_client(hotline.cast.supervisor).get("/api/hotline/stats/overview").json()
    t = data["totals"]
    assert t["filed"] == 5 and t["closed"] == 3  # the reopened one is open again
    assert t["on_time"] == 2 and t["reopened"] == 1 and t["overdue_open"] >= 1
    # due = closed (3) + overdue open (the overdue one; the reopened one has a fresh deadline)
    assert t["on_time_rate"] == round(2 / (3 + t["overdue_open"]), 4)
    # satisfaction: one satisfied of (3 called back + 1 unreachable): unreachable is never satisfied
    assert t["callbacks"] == 2 and t["unreachable"] == 1 and t["satisfaction_rate"] == round(1 / 3, 4)
    assert on_time and reopened


def test_daily_summaries_agree_with_live_figures(hotline):
    for i in range(3):
        closed(hotline, phone=f"1390411010{i}")
    yesterday = timezone.now() - dt.timedelta(days=1)
    Ticket.objects.update(filed_at=yesterday)
    live = api_client(hotline.cast.supervisor).get("/api/hotline/stats/overview").json()["totals"]
    days = stats.refresh_touched()
    assert timezone.localdate(yesterday) in days
    assert DailyTicketStat.objects.filter(day=timezone.localdate(yesterday)).exists()
    summarised = api_client(hotline.cast.supervisor).get("/api/hotline/stats/overview").json()["totals"]
    assert summarised == live
    # a change to a summarised day is picked up by the next run
    Ticket.objects.filter(pk=Ticket.objects.first().pk).update(reopened_count=1, updated_at=timezone.now())
    assert timezone.localdate(yesterday) in stats.refresh_touched()
    assert api_client(hotline.cast.supervisor).get("/api/hotline/stats/overview").json()["totals"]["reopened"] == 1


def test_rising_subject_is_a_hot_topic(hotline):
    now = timezone.now()
    rows = []
    for i in range(12):
        rows.append(file(hotline.operator, NOISE, phone=f"1390412{i:04d}").json()["number"])
    Ticket.objects.filter(number__in=rows).update(subject_id="noise-construction")
    old = file(hotline.operator, "小区物业不给修电梯", phone="13904130000").json()["number"]
    Ticket.objects.filter(number=old).update(filed_at=now - dt.timedelta(days=9), subject_id="noise-construction")
    hot = stats.hot_topics(timezone.localdate(), None, None, minimum=10)
    top = hot["rising_subjects"][0]
    assert top["key"] == ["noise-construction"] and top["this_week"] == 12 and top["last_week"] == 1
    assert hot["spikes"] and hot["spikes"][0]["count"] == 12
    # below the minimum volume nothing rises
    assert stats.hot_topics(timezone.localdate(), None, None, minimum=13)["rising_subjects"] == []


def test_stats_scope_and_bad_input(hotline):
    assert hotline.citizen.get("/api/hotline/stats/overview").status_code == 403
    assert hotline.market.get("/api/hotline/stats/overview").status_code == 403  # an officer, not a head
    assert api_client(hotline.cast.head).get("/api/hotline/stats/overview").status_code == 200
    r = api_client(hotline.cast.supervisor).get("/api/hotline/stats/overview", {"from": "2026-02-30"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "from"
    r = api_client(hotline.cast.supervisor).get("/api/hotline/stats/overview", {"region": "999999"})
    assert r.status_code == 422


def test_dashboard_page_renders_charts_from_static_files(hotline):
    closed(hotline)
    page = page_client(hotline.cast.supervisor).get("/hotline/stats/")
    html = page.content.decode()
    assert page.status_code == 200 and "hotline/stats.js" in html and "hotline-stats-data" in html
    assert "<script>" not in html  # CSP: no inline script


def _month_start(day, back):
    for _ in range(back):
        day = day.replace(day=1) - dt.timedelta(days=1)
    return day.replace(day=1)


def test_monthly_summaries_equal_the_daily_rows_and_the_tickets(hotline):
    """A closed month's summary is the sum of its daily rows and of the tickets themselves, for
    every figure the dashboard shows; rates come from summed numerators and denominators."""
    from collections import Counter

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tongban.hotline.models import MonthlyTicketStat

    today = timezone.localdate()
    prev, prev2 = _month_start(today, 1), _month_start(today, 2)
    numbers = [closed(hotline, phone="13904120001"), closed(hotline, phone="13904120002", level=1, resolved=False),
               closed(hotline, phone="13904120003", level=2), closed(hotline, phone="13904120004", level=None),
               closed(hotline, phone="13904120005", level=4)]
    late = closed(hotline, phone="13904120006", level=None)
    act(hotline.operator, late, "callback", unreachable=True)
    opened = file(hotline.operator, NOISE, phone="13904120007").json()["number"]
    numbers += [late, opened, file(hotline.operator, "小区物业不给修电梯", phone="13904120008").json()["number"]]
    days = [prev2 + dt.timedelta(days=2), prev2 + dt.timedelta(days=17), stats.month_end(prev2), prev,
            prev + dt.timedelta(days=9), prev + dt.timedelta(days=9), stats.month_end(prev), today]
    for number, day in zip(numbers, days, strict=True):
        at = dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
        Ticket.objects.filter(number=number).update(filed_at=at)
    Ticket.objects.filter(number=late).update(first_deadline=timezone.now() - dt.timedelta(days=1))
    Ticket.objects.filter(number=opened).update(deadline=timezone.now() - dt.timedelta(hours=1))
    first, last = _month_start(today, 4).isoformat(), today.isoformat()
    live = stats.overview(hotline.cast.supervisor, None, first, last)  # nothing summarised yet: all from tickets

    stats.refresh_touched()
    assert set(MonthlyTicketStat.objects.values_list("month", flat=True)) == {prev2, prev}  # closed months only
    for month in (prev2, prev):
        end = stats.month_end(month)
        keys = ("region", "department", "subject", "category")
        monthly = {tuple(getattr(r, k) for k in keys): Counter({m: getattr(r, m) for m in stats.METRICS})
                   for r in MonthlyTicketStat.objects.filter(month=month)}
        daily: dict = {}
        for r in DailyTicketStat.objects.filter(day__gte=month, day__lte=end):
            daily.setdefault(tuple(getattr(r, k) for k in keys), Counter()).update(
                {m: getattr(r, m) for m in stats.METRICS})
        tickets: dict = {}
        for key, c in stats.direct(month, end).items():
            tickets.setdefault(key[1:], Counter()).update(c)
        assert monthly == daily == tickets
    assert sum(MonthlyTicketStat.objects.values_list("filed", flat=True)) == 7

    with CaptureQueriesContext(connection) as queries:
        summarised = stats.overview(hotline.cast.supervisor, None, first, last)
    assert any("hotline_monthlyticketstat" in q["sql"] for q in queries.captured_queries)
    assert summarised == live
    t = summarised["totals"]
    assert t["filed"] == 8 and t["on_time_rate"] == round(t["on_time"] / (t["closed"] + t["overdue_open"]), 4)
    assert t["satisfaction_rate"] == round(t["satisfied"] / (t["callbacks"] + t["unreachable"]), 4)
    assert [m["filed"] for m in summarised["months"]][-3:] == [3, 4, 1] and summarised["days"] == []

    # a change to a ticket of a closed month rebuilds that month
    before = sum(MonthlyTicketStat.objects.filter(month=prev2).values_list("reopened", flat=True))
    Ticket.objects.filter(number=numbers[0]).update(reopened_count=1, updated_at=timezone.now())
    stats.refresh_touched()
    assert sum(MonthlyTicketStat.objects.filter(month=prev2).values_list("reopened", flat=True)) == before + 1
    again = stats.overview(hotline.cast.supervisor, None, first, last)
    assert again["totals"]["reopened"] == t["reopened"] + 1


def test_dashboard_views_add_up_and_read_todays_tickets_once(hotline):
    """Each view (category, subject, department, district) sums to the totals, and today's
    tickets are read once per dashboard however many views and hot-topic windows use them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    closed(hotline)
    closed(hotline, phone="13904140001", level=1, resolved=False)
    file(hotline.operator, "小区物业不给修电梯，老人上下楼很困难", phone="13904140002")
    stats.refresh_touched()  # the past summarised, as the scheduled job leaves it: only today is live
    with CaptureQueriesContext(connection) as queries:
        data = stats.overview(hotline.cast.supervisor)
    totals = data["totals"]
    for view in ("categories", "departments", "regions"):
        for metric in ("filed", "closed", "on_time", "reopened", "callbacks", "satisfied", "unsatisfied"):
            assert sum(row[metric] for row in data[view]) == totals[metric], (view, metric)
    assert totals["filed"] == 3 and totals["reopened"] == 1
    live_reads = [q for q in queries.captured_queries
                  if 'FROM "hotline_ticket"' in q["sql"] and 'AS "filed"' in q["sql"]]
    assert len(live_reads) == 1, [q["sql"][:120] for q in live_reads]
    assert len(queries.captured_queries) <= 25


def test_the_summaries_part_is_kept_until_the_job_moves_the_watermark(hotline):
    """The summary tables change only in the job, which moves the watermarks: a dashboard with
    the same watermarks reuses the summaries' part (no read of them), today stays live, and the
    next run of the job shows a change at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(2):
        closed(hotline, phone=f"1390415000{i}")
    Ticket.objects.update(filed_at=timezone.now() - dt.timedelta(days=1))
    stats.refresh_touched()
    first = stats.overview(hotline.cast.supervisor)
    file(hotline.operator, NOISE, phone="13904150009")  # today: live, seen at once
    with CaptureQueriesContext(connection) as queries:
        again = stats.overview(hotline.cast.supervisor)
    assert not [q for q in queries.captured_queries if "ticketstat" in q["sql"]]
    assert again["totals"]["filed"] == first["totals"]["filed"] + 1
    assert again["totals"]["reopened"] == first["totals"]["reopened"] == 0
    Ticket.objects.filter(pk=Ticket.objects.order_by("pk").first().pk).update(reopened_count=1,
                                                                             updated_at=timezone.now())
    stats.refresh_touched()
    assert stats.overview(hotline.cast.supervisor)["totals"]["reopened"] == 1
