"""Statistics and hot topics of the hotline (issue 8 item 10).

The daily summary table `DailyTicketStat` holds, per filing day × region × department ×
subject × category, the state of the tickets filed that day when last refreshed (`refresh_touched`,
the scheduled job: the days whose tickets changed since the last run, and the days that
ended). The dashboard adds today (and any day not yet summarised) straight from the tickets,
so the API, the page and the job agree.

Honest on-time: a ticket is on time when it was closed by the deadline set at filing
(extensions do not count) and never reopened. The rate divides by the tickets that were due:
closed ones plus the open ones already past their deadline. Returns, reroutes, extensions,
reopenings, first-time resolution (closed without return, reroute, send-back or reopening) and
calls versus problems (linked duplicates are calls, not new problems) stand beside it.
Satisfaction counts callbacks at levels 3–5 (R26) over callbacks made, the unreachable included
(never counted as satisfied)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from tongban.core import summaries
from tongban.core.errors import FieldError
from tongban.identity.constants import Role
from tongban.identity.models import Department, Region
from tongban.identity.scoping import grants_of, is_admin

from .constants import OPEN_STATUSES, Status
from .models import DailyTicketStat, MonthlyTicketStat, StatsMark, Subject, Ticket, TicketStep

METRICS = ("filed", "problems", "closed", "on_time", "returned", "rerouted", "extended", "reopened", "first_time",
           "callbacks", "satisfied", "unsatisfied", "unreachable")
KEYS = ("day", "region", "department", "subject", "category")
MARK = "daily"
MONTH_MARK = "monthly"
SERIES_BY_DAY_MAX = 92  # a longer range charts months (past months from the monthly summaries)
MAX_DAYS = 5 * 366
SUMMARY_CACHE_SECONDS = 3600  # exact whatever the time: the key holds the watermarks


def _tz():
    return timezone.get_current_timezone()


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(first, dt.time.min, tzinfo=_tz()),
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=_tz()))


def direct(first: dt.date, last: dt.date, regions: list[str] | None = None,
           departments: set[str] | None = None) -> dict[tuple, Counter]:
    """Every metric per key for tickets filed first..last, from the tickets themselves."""
    start, end = _bounds(first, last)
    rows = Ticket.objects.filter(filed_at__gte=start, filed_at__lt=end)
    if regions is not None:
        rows = rows.filter(region_id__in=regions)
    if departments is not None:
        rows = rows.filter(department_id__in=departments)
    steps = TicketStep.objects.filter(ticket=OuterRef("pk"))
    rows = rows.annotate(
        day=TruncDate("filed_at", tzinfo=_tz()),
        was_rerouted=Exists(steps.filter(action="reroute")),
        was_extended=Exists(steps.filter(action="decide-extension", data__approve=True)),
        was_sent_back=Exists(steps.filter(action="send-back")))
    closed = Q(status=Status.CLOSED)
    clean = Q(returned_count=0, reopened_count=0, was_rerouted=False, was_sent_back=False)
    agg = (rows.values("day", "region_id", "department_id", "subject_id", "category").annotate(
        filed=Count("pk"), problems=Count("pk", filter=Q(master__isnull=True)),
        closed=Count("pk", filter=closed),
        on_time=Count("pk", filter=closed & Q(reopened_count=0, closed_at__lte=Coalesce("first_deadline", "deadline"))),
        returned=Count("pk", filter=Q(returned_count__gt=0)), rerouted=Count("pk", filter=Q(was_rerouted=True)),
        extended=Count("pk", filter=Q(was_extended=True)), reopened=Count("pk", filter=Q(reopened_count__gt=0)),
        first_time=Count("pk", filter=closed & clean),
        callbacks=Count("pk", filter=Q(callback__level__isnull=False)),
        satisfied=Count("pk", filter=Q(callback__level__gte=3)),
        unsatisfied=Count("pk", filter=Q(callback__level__lte=2)),
        unreachable=Count("pk", filter=Q(callback__unreachable=True))))
    out: dict[tuple, Counter] = defaultdict(Counter)
    for r in agg:
        key = (r["day"], r["region_id"], r["department_id"] or "", r["subject_id"] or "", r["category"])
        out[key].update({m: r[m] for m in METRICS})
    return out


# --- the summary table ----------------------------------------------------------------------------

def refresh_days(days: Iterable[dt.date]) -> int:
    written = 0
    for day in sorted(set(days)):
        rows = direct(day, day)
        with transaction.atomic():
            DailyTicketStat.objects.filter(day=day).delete()
            DailyTicketStat.objects.bulk_create([
                DailyTicketStat(day=k[0], region=k[1], department=k[2], subject=k[3], category=k[4],
                                **{m: c[m] for m in METRICS}) for k, c in rows.items()])
        written += len(rows)
    return written


def month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def refresh_months(months: Iterable[dt.date]) -> int:
    """Rewrite each month's summary from its daily rows (the month must be closed: every day summarised)."""
    written = 0
    for month in sorted({m.replace(day=1) for m in months}):
        agg = (DailyTicketStat.objects.filter(day__gte=month, day__lte=month_end(month))
               .values("region", "department", "subject", "category").annotate(**{f"m_{m}": Sum(m) for m in METRICS}))
        with transaction.atomic():
            MonthlyTicketStat.objects.filter(month=month).delete()
            made = MonthlyTicketStat.objects.bulk_create([
                MonthlyTicketStat(month=month, region=r["region"], department=r["department"], subject=r["subject"],
                                  category=r["category"], **{m: r[f"m_{m}"] or 0 for m in METRICS}) for r in agg],
                batch_size=5000)
        written += len(made)
    return written


def refresh_touched(now: dt.datetime | None = None) -> list[dt.date]:
    """The scheduled job: the filing days of tickets changed since the last run, and the days
    that ended since then; never today (computed live). Then the closed months: those of the
    refreshed days, and every month that closed since the last run (the first run: all)."""
    mark, _ = StatsMark.objects.get_or_create(name=MARK)
    days = summaries.refresh(
        mark, now=now, refresh_days=refresh_days,
        touched=lambda since: Ticket.objects.filter(updated_at__gte=since)
        .annotate(d=TruncDate("filed_at", tzinfo=_tz())).values_list("d", flat=True).distinct(),
        first_at=lambda: Ticket.objects.order_by("filed_at").values_list("filed_at", flat=True).first())
    through = mark.summarised_through
    monthly, _ = StatsMark.objects.get_or_create(name=MONTH_MARK)
    months = {d.replace(day=1) for d in days}
    if monthly.summarised_through is not None:
        start = monthly.summarised_through + dt.timedelta(days=1)
    else:
        start = DailyTicketStat.objects.order_by("day").values_list("day", flat=True).first() or through
    month = start.replace(day=1)
    while month_end(month) <= through:
        months.add(month)
        month = month_end(month) + dt.timedelta(days=1)
    closed = {m for m in months if month_end(m) <= through}
    refresh_months(closed)
    last_closed = through.replace(day=1) - dt.timedelta(days=1) if month_end(through) != through else through
    monthly.summarised_through = max(last_closed, monthly.summarised_through or last_closed)
    monthly.changes_since = mark.changes_since
    monthly.save()
    return days


# --- scope and reading ----------------------------------------------------------------------------

def scope(user: Any, region_code: str | None = None) -> tuple[Region, list[str] | None, set[str] | None]:
    """(region, its codes or None for the whole city, departments or None for all). Operators and
    supervisors: their region and below; heads: their department and its branches. Others 403."""
    grants = [g for g in grants_of(user) if g.role in (Role.SUPERVISOR, Role.HOTLINE_OPERATOR, Role.HEAD)]
    admin = is_admin(user)
    if not admin and not grants:
        raise PermissionDenied("热线统计仅供话务员、监督人员、部门负责人和管理员查看")
    paths = [g.region_path for g in grants]
    if region_code:
        region = Region.objects.filter(pk=str(region_code)[:12]).first()
        if region is None:
            raise FieldError("region", f"未知的区划代码 {str(region_code)[:12]}")
        if not admin and not any(region.path.startswith(p) for p in paths):
            raise PermissionDenied("该区划不在您的查看范围内")
    else:
        code = None if admin else min(paths, key=len).rstrip("/").rsplit("/", 1)[-1]
        region = Region.objects.filter(pk=code).first() if code else Region.objects.filter(parent__isnull=True).first()
    regions = None if region is None or region.parent_id is None else list(
        Region.objects.filter(path__startswith=region.path).values_list("pk", flat=True))
    departments = None
    if not admin and not any(g.role != Role.HEAD for g in grants):
        mine = {g.department_id for g in grants if g.department_id}
        departments = mine | set(Department.objects.filter(parent_id__in=mine).values_list("pk", flat=True))
    return region, regions, departments


def date_range(first: Any, last: Any) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()

    def parse(value: Any, field: str) -> dt.date | None:
        if value in (None, ""):
            return None
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            raise FieldError(field, "日期格式应为 YYYY-MM-DD") from None

    last_day = parse(last, "to") or today
    first_day = parse(first, "from") or last_day - dt.timedelta(days=29)
    if first_day > last_day:
        raise FieldError("to", "结束日期不能早于开始日期")
    if (last_day - first_day).days > MAX_DAYS:
        raise FieldError("from", "统计区间不能超过5年")
    return first_day, last_day


# A sum read as the driver gives it: both drivers return Python ints for SUM over integer columns,
# and Django's per-row int() converter over ~13,000 aggregate rows was a sixth of the dashboard.
_AS_IS = models.Field()

Vectors = dict[tuple, list[int]]  # key -> the METRICS in order (the dashboard's working form)


def _add(out: Vectors, key: tuple, values) -> None:
    have = out.get(key)
    out[key] = list(values) if have is None else [a + b for a, b in zip(have, values, strict=True)]


def _summed(table, date_field: str, first: dt.date, last: dt.date, regions: list[str] | None,
            departments: set[str] | None, by: tuple[str, ...], out: Vectors) -> None:
    q = table.objects.filter(**{f"{date_field}__gte": first, f"{date_field}__lte": last})
    if regions is not None:
        q = q.filter(region__in=regions)
    if departments is not None:
        q = q.filter(department__in=departments)
    if "month" in by and date_field == "day":
        q = q.annotate(month_of=TruncMonth("day"))
    fields = [("month_of" if k == "month" and date_field == "day" else k) for k in by]
    sums = {f"m_{m}": Sum(m, output_field=_AS_IS) for m in METRICS}
    n = len(fields)
    for r in q.values(*fields).annotate(**sums).values_list(*fields, *sums):
        _add(out, r[:n], [v or 0 for v in r[n:]])


def rows(first: dt.date, last: dt.date, regions: list[str] | None, departments: set[str] | None,
         by: tuple[str, ...], live: dict | None = None) -> dict[tuple, Counter]:
    """Metrics summed by the named keys (of KEYS, or "month") over first..last: whole closed
    months from the monthly summaries (unless grouped by day), other summarised days from the
    daily ones, the tickets for the rest (today, and days not summarised yet). `live` (a dict)
    keeps the tickets' part between the calls of one request."""
    return {k: Counter(dict(zip(METRICS, v, strict=True))) for k, v in vectors(
        first, last, regions, departments, by, live).items()}


def _fold(source: Vectors, index: int) -> dict[tuple, Counter]:
    """The groups of `source` summed by the key at `index` (columns summed in C, not group by group)."""
    buckets: dict[Any, list[list[int]]] = defaultdict(list)
    for key, values in source.items():
        buckets[key[index]].append(values)
    return {(k,): Counter(dict(zip(METRICS, map(sum, zip(*groups, strict=True)), strict=True)))
            for k, groups in buckets.items()}


def vectors(first: dt.date, last: dt.date, regions: list[str] | None, departments: set[str] | None,
            by: tuple[str, ...], live: dict | None = None) -> Vectors:
    """`rows` as lists of the METRICS in order. The summaries' part is kept in the cache under a
    key holding both watermarks: the summary rows change only in the job, which moves them, so a
    kept part is the part read now. The tickets' part (today) is read on every call."""
    out: Vectors = {}
    if first > last:
        return out
    marks = {name: (through, since) for name, through, since in StatsMark.objects.filter(
        name__in=(MARK, MONTH_MARK)).values_list("name", "summarised_through", "changes_since")}
    through, months_through = (marks.get(name, (None, None))[0] for name in (MARK, MONTH_MARK))
    reads, live_ranges = _plan(first, last, through, months_through, by)
    if reads:
        key = "hotline:stats:" + hashlib.sha256(repr((
            first, last, by, regions, sorted(departments) if departments is not None else None,
            sorted(marks.items()))).encode()).hexdigest()
        summarised = cache.get(key)
        if summarised is None:
            summarised = {}
            for table, date_field, a, b in reads:
                _summed(table, date_field, a, b, regions, departments, by, summarised)
            cache.set(key, summarised, SUMMARY_CACHE_SECONDS)
        out.update(summarised)
    memo = {} if live is None else live  # one scope per memo: the caller's request
    keys = (*KEYS, "month")
    for a, b in live_ranges:
        if (a, b) not in memo:
            memo[(a, b)] = [(key, [c[m] for m in METRICS]) for key, c in direct(a, b, regions, departments).items()]
        for key, values in memo[(a, b)]:
            full = (*key, key[0].replace(day=1))
            _add(out, tuple(full[keys.index(k)] for k in by), values)
    return out


def _plan(first: dt.date, last: dt.date, through: dt.date | None, months_through: dt.date | None,
          by: tuple[str, ...]) -> tuple[list[tuple], list[tuple[dt.date, dt.date]]]:
    """What answers first..last: summary reads (table, date field, from, to) — whole closed months
    from the monthly table unless grouped by day, other summarised days from the daily one — and
    the ranges read from the tickets (today, and days not summarised yet)."""
    reads: list[tuple] = []
    live: list[tuple[dt.date, dt.date]] = []

    def daily(a: dt.date, b: dt.date) -> None:
        if a > b:
            return
        live_from = a
        if through is not None and through >= a:
            reads.append((DailyTicketStat, "day", a, min(through, b)))
            live_from = min(through, b) + dt.timedelta(days=1)
        if live_from <= b:
            live.append((live_from, b))

    if "day" not in by and months_through is not None and through is not None:
        m_first = first if first.day == 1 else month_end(first) + dt.timedelta(days=1)
        m_last = min(months_through, last, through)
        if month_end(m_last) != m_last:
            m_last = m_last.replace(day=1) - dt.timedelta(days=1)
        if m_first < m_last:
            daily(first, m_first - dt.timedelta(days=1))
            reads.append((MonthlyTicketStat, "month", m_first, m_last))
            daily(m_last + dt.timedelta(days=1), last)
            return reads, live
    daily(first, last)
    return reads, live


def overdue_open(first: dt.date, last: dt.date, regions: list[str] | None, departments: set[str] | None,
                 by: str = "department_id") -> Counter:
    """Open tickets filed in the range and already past their deadline, now."""
    start, end = _bounds(first, last)
    q = Ticket.objects.filter(filed_at__gte=start, filed_at__lt=end, status__in=OPEN_STATUSES,
                              deadline__lt=timezone.now())
    if regions is not None:
        q = q.filter(region_id__in=regions)
    if departments is not None:
        q = q.filter(department_id__in=departments)
    return Counter({(r[by] or ""): r["n"] for r in q.values(by).annotate(n=Count("pk"))})


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def figures(c: Counter, overdue: int = 0) -> dict:
    due = c["closed"] + overdue
    rated = c["callbacks"] + c["unreachable"]
    return {**{m: c[m] for m in METRICS}, "overdue_open": overdue,
            "on_time_rate": _rate(c["on_time"], due), "first_time_rate": _rate(c["first_time"], c["closed"]),
            "satisfaction_rate": _rate(c["satisfied"], rated), "duplicate_calls": c["filed"] - c["problems"]}


def hot_topics(last: dt.date, regions: list[str] | None, departments: set[str] | None,
               minimum: int | None = None, live: dict | None = None) -> dict:
    """Rising subjects (this week against the week before, at least `minimum` this week),
    rising places (district × subject) and spikes (a subject's day far above its last 28 days)."""
    minimum = minimum or int(getattr(settings, "TONGBAN_HOTLINE_HOT_MIN", 10))
    week = last - dt.timedelta(days=6)
    before = week - dt.timedelta(days=7)
    names = dict(Subject.objects.values_list("code", "name"))
    region_names = dict(Region.objects.values_list("code", "name"))

    # the last 28 days by day and subject (rising subjects, spikes); the two weeks by district and
    # subject (rising places) — three small reads, not one of day × district × subject
    recent = rows(last - dt.timedelta(days=27), last, regions, departments, ("day", "subject"), live)
    places_now = rows(week, last, regions, departments, ("region", "subject"), live)
    places_before = rows(before, week - dt.timedelta(days=1), regions, departments, ("region", "subject"), live)

    def window(first: dt.date, end: dt.date) -> Counter:
        out: Counter = Counter()
        for (day, subject), c in recent.items():
            if first <= day <= end and subject:
                out[(subject,)] += c["filed"]
        return out

    def counted(source: dict[tuple, Counter]) -> Counter:
        return Counter({key: c["filed"] for key, c in source.items() if key[-1]})

    def rising(now: Counter, prev: Counter) -> list[dict]:
        out = []
        for key, n in now.items():
            p = prev.get(key, 0)
            if n >= minimum and n > p:
                out.append({"key": list(key), "this_week": n, "last_week": p, "growth": round((n - p) / max(p, 1), 2)})
        out.sort(key=lambda r: (-r["growth"], -r["this_week"]))
        return out[:10]

    subjects = rising(window(week, last), window(before, week - dt.timedelta(days=1)))
    for r in subjects:
        r["subject"] = names.get(r["key"][0], r["key"][0])
    places = rising(counted(places_now), counted(places_before))
    for r in places:
        r["region"], r["subject"] = region_names.get(r["key"][0], r["key"][0]), names.get(r["key"][1], r["key"][1])
    series: dict[str, Counter] = defaultdict(Counter)
    for (day, subject), c in recent.items():
        if subject:
            series[subject][day] += c["filed"]
    spikes = []
    for subject, per_day in series.items():
        today_n = per_day.get(last, 0)
        past = [per_day.get(last - dt.timedelta(days=i), 0) for i in range(1, 28)]
        mean = sum(past) / len(past)
        sd = math.sqrt(sum((x - mean) ** 2 for x in past) / len(past))
        if today_n >= max(3, minimum // 2) and today_n > mean + 3 * max(sd, 1.0):
            spikes.append({"subject": names.get(subject, subject), "day": last.isoformat(), "count": today_n,
                           "usual": round(mean, 1)})
    spikes.sort(key=lambda r: -r["count"])
    return {"week": [week.isoformat(), last.isoformat()], "minimum": minimum, "rising_subjects": subjects,
            "rising_places": places, "spikes": spikes[:10]}


def overview(user: Any, region_code: str | None = None, first: Any = None, last: Any = None) -> dict:
    """The dashboard: totals, by day (by month over a range of three months or more), category,
    subject, department, region; hot topics."""
    region, regions, departments = scope(user, region_code)
    first_day, last_day = date_range(first, last)
    by_month = (last_day - first_day).days >= SERIES_BY_DAY_MAX
    live: dict = {}  # today's tickets read once for every view below (one scope throughout)
    # a long range charts months: past months read from the monthly summaries, not ~365 days of rows
    series = rows(first_day, last_day, regions, departments, ("month",) if by_month else ("day",), live)
    # one read for the four other views: subject, department and district go together, folded as
    # plain lists (a Counter per group and view cost more than the read)
    combos = vectors(first_day, last_day, regions, departments, ("category", "subject", "department", "region"), live)
    by_category, by_subject, by_department, by_region = (_fold(combos, i) for i in range(4))
    overdue_dept = overdue_open(first_day, last_day, regions, departments)
    overdue_region = overdue_open(first_day, last_day, regions, departments, by="region_id")
    total = Counter()
    for c in series.values():
        total.update(c)
    dept_names = dict(Department.objects.values_list("id", "name"))
    subject_names = dict(Subject.objects.values_list("code", "name"))
    region_names = dict(Region.objects.values_list("code", "name"))
    days = [] if by_month else [first_day + dt.timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    months = []
    month = first_day.replace(day=1)
    while by_month and month <= last_day:
        months.append(month)
        month = month_end(month) + dt.timedelta(days=1)
    return {
        "region": {"code": region.code if region else None, "name": region.name if region else "全市"},
        "from": first_day.isoformat(), "to": last_day.isoformat(),
        "totals": figures(total, sum(overdue_dept.values())),
        "days": [{"day": d.isoformat(), "filed": series.get((d,), Counter())["filed"],
                  "closed": series.get((d,), Counter())["closed"]} for d in days],
        "months": [{"month": m.isoformat()[:7], "filed": series.get((m,), Counter())["filed"],
                    "closed": series.get((m,), Counter())["closed"]} for m in months],
        "categories": [{"category": k[0], **figures(c)} for k, c in sorted(by_category.items(),
                                                                          key=lambda kv: -kv[1]["filed"])],
        "subjects": [{"code": k[0] or None, "name": subject_names.get(k[0], "未分类"), **figures(c)}
                     for k, c in sorted(by_subject.items(), key=lambda kv: -kv[1]["filed"])[:30]],
        "departments": [{"id": k[0] or None, "name": dept_names.get(k[0], "中心（未派单或直接答复）"),
                         **figures(c, overdue_dept.get(k[0], 0))}
                        for k, c in sorted(by_department.items(), key=lambda kv: -kv[1]["filed"])],
        "regions": [{"code": k[0], "name": region_names.get(k[0], k[0]), **figures(c, overdue_region.get(k[0], 0))}
                    for k, c in sorted(by_region.items(), key=lambda kv: -kv[1]["filed"])],
        "hot": hot_topics(last_day, regions, departments, live=live),
    }
