"""Statistics (R28, S0 二(三), issue 9 items 7–8): per department, from the cases (channel,
materials' provision R12, clocks, state) and the reviews (R26).

One direct computation over the raw rows (`direct`) feeds both the daily summary tables
(`refresh_days`, only the days touched since the last run — `refresh_touched`, the scheduled
job) and the live figures of today and of any day not summarised yet. The overview adds the
summaries of the past to the live rows, then the point-in-time figures (backlog, overdue): the
same numbers on the API, the public page and the Excel export. `cube` keeps each result in the
cache under a key that changes with any row it counts (`state`): exact, and one query per
overview while nothing changes.

Visits (首问登记 S3 16, 最多跑一次 S0 二(三)): a finished case's visits are the distinct days the
applicant came in person — the day of a window filing and the days of the window visits
registered for the case (a visit that led to a window filing the same day is one visit). They
are counted on the decision day: `visits` (sum), `visits_zero` (一次不用跑) and `visits_le_one`
(最多跑一次). `breakdown` groups the same figures by region, department or item (the drill-down);
`decided_cases` lists the cases and officers below an item."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from tongban.cases import clocks
from tongban.cases.constants import OPEN, Channel, Provision, Status
from tongban.cases.models import Case, CaseMaterial
from tongban.core import summaries
from tongban.core.calendar import get_calendar
from tongban.core.clock import ClockEvent
from tongban.reviews.models import Review, WindowVisit

from .models import DailyStat, MonthlyStat, StatsWatermark

METRICS = ("filed", "online", "materials_required", "materials_avoided", "decided", "days_used", "days_promised",
           "reviews_1", "reviews_2", "reviews_3", "reviews_4", "reviews_5", "reviews_excluded",
           "visits", "visits_zero", "visits_le_one")
Key = tuple[dt.date, str, str, str, str]  # day, region, department, item, channel
WATERMARK = "daily"
DECIDED = (Status.APPROVED, Status.DENIED)


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(first, dt.time.min, tzinfo=tz),
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def _local_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def direct(first: dt.date, last: dt.date, regions: list[str] | None = None) -> dict[Key, Counter]:
    """Every metric of every key for the days first..last, straight from the raw rows."""
    start, end = _bounds(first, last)
    out: dict[Key, Counter] = defaultdict(Counter)
    in_region = Q(region_id__in=regions) if regions is not None else Q()
    cases = Case.objects.filter(in_region, item__isnull=False)
    filed = (cases.filter(submitted_at__gte=start, submitted_at__lt=end)
             .annotate(d=_local_day("submitted_at")).values("d", "region_id", "department_id", "item__code", "channel")
             .annotate(n=Count("pk"), online=Count("pk", filter=Q(channel=Channel.ONLINE))))
    for r in filed:
        c = out[(r["d"], r["region_id"], r["department_id"], r["item__code"], r["channel"])]
        c["filed"] += r["n"]
        c["online"] += r["online"]
    m_region = Q(case__region_id__in=regions) if regions is not None else Q()
    mats = (CaseMaterial.objects.filter(m_region, case__item__isnull=False, required=True,
                                        case__submitted_at__gte=start, case__submitted_at__lt=end)
            .annotate(d=_local_day("case__submitted_at"))
            .values("d", "case__region_id", "case__department_id", "case__item__code", "case__channel")
            .annotate(n=Count("pk"), avoided=Count("pk", filter=Q(provision__in=(Provision.REUSED,
                                                                                 Provision.FETCHED)))))
    for r in mats:
        c = out[(r["d"], r["case__region_id"], r["case__department_id"], r["case__item__code"], r["case__channel"])]
        c["materials_required"] += r["n"]
        c["materials_avoided"] += r["avoided"]
    _decided(out, cases.filter(status__in=DECIDED, decided_at__gte=start, decided_at__lt=end))
    _reviews(out, start, end, regions)
    return out


VISITS = Prefetch("visits", queryset=WindowVisit.objects.only("pk", "case_id", "at"))


def visits_of(case: Case) -> int:
    """The distinct days the applicant came in person for a case: a window filing's day and the
    days of the window visits registered for it (needs `visits` prefetched)."""
    rows = getattr(case, "_prefetched_objects_cache", {}).get("visits")
    days = {timezone.localdate(v.at) for v in (case.visits.all() if rows is None else rows)}
    if case.channel == Channel.WINDOW and case.submitted_at is not None:
        days.add(timezone.localdate(case.submitted_at))
    return len(days)


class _Terms(NamedTuple):
    """What `clocks.legal_clock` reads of a case."""
    legal_days: int
    legal_days_unit: str


def _decided(out: dict[Key, Counter], rows: Any) -> None:
    """Decisions per key: days used on the legal clock (pauses not counted, R7), days promised
    and visits. The rows are read as plain values — a day's thousands of decisions, their clock
    events and visits — and only the legal clock is read (`clocks.reading` reads both)."""
    from tongban.cases.models import CaseClockEvent

    fields = ("pk", "region_id", "department_id", "item__code", "channel", "submitted_at", "decided_at",
              "legal_days", "legal_days_unit", "promised_days")
    cases = list(rows.values_list(*fields))
    ids = rows.values("pk")
    events: dict[int, list[ClockEvent]] = defaultdict(list)
    for case_id, kind, on in CaseClockEvent.objects.filter(case__in=ids).order_by("case_id", "on", "id") \
            .values_list("case_id", "kind", "on"):
        events[case_id].append(ClockEvent(kind, on))
    visit_days: dict[int, set[dt.date]] = defaultdict(set)
    for case_id, at in WindowVisit.objects.filter(case__in=ids).values_list("case_id", "at"):
        visit_days[case_id].add(timezone.localdate(at))
    cal = get_calendar()
    for pk, region, department, code, channel, submitted_at, decided_at, legal_days, unit, promised in cases:
        day = timezone.localdate(decided_at)
        c = out[(day, region, department, code, channel)]
        c["decided"] += 1
        if events[pk]:  # as clocks.reading: no event, no day used
            terms = _Terms(legal_days=legal_days, legal_days_unit=unit)
            c["days_used"] += clocks.legal_clock(terms, events[pk]).read(day, cal).days_used
        c["days_promised"] += promised
        days = visit_days[pk]  # as visits_of: the window filing's day is a visit too
        if channel == Channel.WINDOW and submitted_at is not None:
            days = days | {timezone.localdate(submitted_at)}
        visits = len(days)
        c["visits"] += visits
        c["visits_zero"] += visits == 0
        c["visits_le_one"] += visits <= 1


def _reviews(out: dict[Key, Counter], start: dt.datetime, end: dt.datetime, regions: list[str] | None) -> None:
    in_region = Q(region_id__in=regions) if regions is not None else Q()
    rows = (Review.objects.filter(in_region, created_at__gte=start, created_at__lt=end)
            .annotate(d=_local_day("created_at"), code=Coalesce("case__item__code", "visit__item__code"))
            .values("d", "region_id", "department_id", "code", "channel", "level", "excluded")
            .annotate(n=Count("pk")))
    for r in rows:
        c = out[(r["d"], r["region_id"], r["department_id"], r["code"] or "", r["channel"])]
        c["reviews_excluded" if r["excluded"] else f"reviews_{r['level']}"] += r["n"]


# --- the summary tables ---------------------------------------------------------------------------------

def refresh_days(days: Iterable[dt.date]) -> int:
    """Recompute the rows of each day from the raw rows (a day at a time: delete, insert), then
    the monthly rollup of each month touched — one transaction per month, so a reader never sees
    a month's rollup differ from its daily rows."""
    written = 0
    per_month: dict[dt.date, list[dt.date]] = defaultdict(list)
    for day in sorted(set(days)):
        per_month[day.replace(day=1)].append(day)
    for month, month_days in per_month.items():
        with transaction.atomic():
            for day in month_days:
                rows = direct(day, day)
                DailyStat.objects.filter(day=day).delete()
                DailyStat.objects.bulk_create([DailyStat(day=k[0], region=k[1], department=k[2], item=k[3] or "",
                                                         channel=k[4], **{m: c[m] for m in METRICS})
                                               for k, c in rows.items() if any(c.values())])
                written += len(rows)
            roll_up_month(month)
    return written


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def roll_up_month(month: dt.date) -> int:
    """The month's rollup rewritten as the sum of its daily rows (per region, department, item)."""
    rows = (DailyStat.objects.filter(day__gte=month, day__lt=_next_month(month))
            .values("region", "department", "item").annotate(**{f"s_{m}": Sum(m) for m in METRICS}).order_by())
    MonthlyStat.objects.filter(month=month).delete()
    made = MonthlyStat.objects.bulk_create(
        [MonthlyStat(month=month, region=r["region"], department=r["department"], item=r["item"],
                     **{m: r[f"s_{m}"] or 0 for m in METRICS}) for r in rows], batch_size=5000)
    return len(made)


def _touched_days(since: dt.datetime) -> set[dt.date]:
    days: set[dt.date] = set()
    for field in ("submitted_at", "decided_at"):
        days |= set(Case.objects.filter(updated_at__gte=since, **{f"{field}__isnull": False})
                 .annotate(d=_local_day(field)).values_list("d", flat=True).distinct())
    days |= set(Review.objects.filter(updated_at__gte=since).annotate(d=_local_day("created_at"))
                .values_list("d", flat=True).distinct())
    # a visit registered after the decision changes the decision day's visit counts
    days |= set(WindowVisit.objects.filter(at__gte=since, case__decided_at__isnull=False)
                .annotate(d=_local_day("case__decided_at")).values_list("d", flat=True).distinct())
    return days


def refresh_touched(now: dt.datetime | None = None) -> list[dt.date]:
    """The scheduled job: the days whose rows changed since the last run, and the days that
    ended since then (yesterday, after midnight) — never today, which is computed live."""
    mark, _ = StatsWatermark.objects.get_or_create(name=WATERMARK)
    return summaries.refresh(
        mark, now=now, refresh_days=refresh_days, touched=_touched_days,
        first_at=lambda: Case.objects.order_by("submitted_at").values_list("submitted_at", flat=True).first())


def rebuild(first: dt.date, last: dt.date) -> int:
    """`./tongban stats rebuild --from --to`: every day of the range from the raw rows."""
    today = timezone.localdate()
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return refresh_days([d for d in days if d < today])


# --- reading ------------------------------------------------------------------------------------------

GROUPS = ("region", "department", "item")
_KEY_INDEX = {"region": 0, "department": 1, "item": 2}
Cell = tuple[str, str, str]  # region, department, item


# --- the exact cache of the cube ---------------------------------------------------------------------
# A cube is kept in the cache under a key made of its arguments, today and the *state* of every
# table it is read from (one query, each part an index-only look at the newest row): the newest
# `updated_at` of the cases (every transition writes it), reviews and rectifications, the newest
# id of the case steps, clock events, materials and window visits (rows only ever added), the
# newest summary row and the watermark. Any change to what the figures count changes the key, so
# a cached cube is the cube computed now — no expiry needed for exactness. One proviso: a
# transaction that commits after a later one was already seen carries an older `updated_at`;
# while the newest change is younger than SETTLE (longer than any transaction of the cases app),
# an entry lives only SETTLE seconds, so such a late commit is counted at most SETTLE after it.
SETTLE = 15
KEEP = 600
# While one request computes a cube (the lock below, shared by every process through the cache),
# the others asking for the same arguments are answered with the newest cube computed before, if
# it is at most MAX_STALE seconds old (`as_of` says when its rows were read) — a lone reader, or
# the first reader after a change, always gets the exact figures; concurrent readers never queue
# behind one recomputation. 0 = always wait for the exact cube.
MAX_STALE = getattr(settings, "TONGBAN_STATS_MAX_STALE_SECONDS", 20)
COMPUTING = 60  # a computation's lock lapses after this many seconds (a worker that died mid-way)
WAIT = 0.05


def _parse(value: Any, kind: type) -> Any:
    """A date or datetime from a raw query (SQLite answers strings)."""
    if value is None or isinstance(value, kind):
        return value
    parsed = kind.fromisoformat(str(value)) if kind is dt.date else dt.datetime.fromisoformat(str(value))
    if kind is dt.datetime and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def state() -> tuple[dt.date | None, tuple, dt.datetime | None]:
    """(the watermark's last summarised day, the state of every table the cube reads, the newest
    change time) in one query."""
    from tongban.cases.models import CaseClockEvent, CaseStep
    from tongban.reviews.models import Rectification

    def newest(model: Any, column: str) -> str:
        return f"(SELECT MAX({column}) FROM {model._meta.db_table})"  # noqa: S608 - the models' own tables

    mark = StatsWatermark._meta.db_table
    parts = [f"(SELECT summarised_through FROM {mark} WHERE name = %s)",  # noqa: S608 - the model's own table
             f"(SELECT changes_since FROM {mark} WHERE name = %s)",  # noqa: S608
             newest(Case, "updated_at"), newest(Review, "updated_at"), newest(Rectification, "updated_at"),
             newest(CaseStep, "id"), newest(CaseClockEvent, "id"), newest(CaseMaterial, "id"),
             newest(WindowVisit, "id"), newest(DailyStat, "id"), newest(MonthlyStat, "id")]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), [WATERMARK, WATERMARK])
        row = cursor.fetchone()
    times = [_parse(v, dt.datetime) for v in row[2:5]]
    return _parse(row[0], dt.date), tuple(str(v) for v in row), max((t for t in times if t), default=None)


def _cache_keys(first: dt.date, last: dt.date, regions: list[str] | None, department: str | None,
                tables: tuple) -> tuple[str, str, str]:
    """(the cube of these arguments in this state, the newest cube of these arguments, the lock of
    its computation)."""
    scope = "all" if regions is None else ",".join(sorted(regions))
    args = hashlib.sha256(f"{first}|{last}|{scope}|{department}|{timezone.localdate()}".encode()).hexdigest()
    key = f"oversight:cube:{args}:" + hashlib.sha256(str(tables).encode()).hexdigest()
    return key, f"oversight:cube:{args}:latest", f"oversight:cube:{args}:computing"


def cube(first: dt.date, last: dt.date, regions: list[str] | None,
         department: str | None = None) -> dict[Cell, Counter]:
    """Every figure per (region, department, item) for the days first..last (`cube_as_of`)."""
    return cube_as_of(first, last, regions, department)[0]


def cube_as_of(first: dt.date, last: dt.date, regions: list[str] | None,
               department: str | None = None) -> tuple[dict[Cell, Counter], dt.datetime]:
    """(the cube, when its rows were read): `compute`, kept in the cache until any row it counts
    changes (see SETTLE) — one query when nothing changed since it was last computed. The figures
    are those of now, except for a reader arriving while another recomputes them: that reader
    gets the previous cube if it is at most MAX_STALE seconds old (see MAX_STALE)."""
    if first > last:
        return defaultdict(Counter), timezone.now()
    through, tables, newest = state()
    key, latest, computing = _cache_keys(first, last, regions, department, tables)
    waited = 0.0
    while True:
        kept = cache.get(key)
        if kept is not None:
            return kept
        if cache.add(computing, 1, COMPUTING) or cache.get(computing) is None:  # ours, or no cache at all
            try:
                began = timezone.now()
                kept = (compute(first, last, regions, department, through=through), began)
                settled = newest is None or (began - newest).total_seconds() > SETTLE
                cache.set_many({key: kept, latest: kept}, KEEP if settled else SETTLE)
            finally:
                cache.delete(computing)
            return kept
        previous = cache.get(latest)
        if previous is not None and (timezone.now() - previous[1]).total_seconds() <= MAX_STALE:
            return previous
        if waited >= COMPUTING:  # the lock outlived its computation: compute without it
            return compute(first, last, regions, department, through=through), timezone.now()
        time.sleep(WAIT)
        waited += WAIT


_UNREAD = object()


def compute(first: dt.date, last: dt.date, regions: list[str] | None,
            department: str | None = None, *, through: Any = _UNREAD) -> dict[Cell, Counter]:
    """Every figure per (region, department, item) for the days first..last: summaries where a
    day is summarised, the raw rows for the rest (today and any day the job has not reached),
    plus the point-in-time backlog and overdue and the rectifications opened in the range. One
    pass whatever the grouping asked for (`project`): a dashboard page stays at a fixed number
    of queries. `through`: the watermark's last summarised day when the caller has read it."""
    out: dict[Cell, Counter] = defaultdict(Counter)
    if first > last:
        return out
    mark = StatsWatermark.objects.filter(name=WATERMARK).values_list("summarised_through", flat=True).first() \
        if through is _UNREAD else through
    through = min(mark, last) if mark else None
    live_from = first
    if through is not None and through >= first:
        for r in summarised(first, through, regions, department):
            out[(r["region"], r["department"], r["item"])].update({m: r[m] or 0 for m in METRICS})
        live_from = through + dt.timedelta(days=1)
    for cell, c in live(live_from, last, regions, department).items():
        out[cell].update(c)
    for cell, c in rectification_figures(first, last, regions, department).items():
        out[cell].update(c)
    return out


def live(first: dt.date, last: dt.date, regions: list[str] | None,
         department: str | None = None) -> dict[Cell, Counter]:
    """The days first..last not summarised yet (today at least) from the raw rows, plus the
    point-in-time backlog and overdue. Exact by default; with TONGBAN_STATS_LIVE_CACHE_SECONDS > 0
    the result is kept that many seconds (the same figures, up to that old) — an option for
    heavily read deployments, off unless configured."""
    seconds = getattr(settings, "TONGBAN_STATS_LIVE_CACHE_SECONDS", 0)
    key = None
    if seconds > 0:
        scope = "all" if regions is None else ",".join(sorted(regions))
        digest = hashlib.sha256(f"{first}|{last}|{scope}|{department}|{timezone.localdate()}".encode()).hexdigest()
        key = f"oversight:live:{digest}"
        cached = cache.get(key)
        if cached is not None:
            return cached
    out: dict[Cell, Counter] = defaultdict(Counter)
    if first <= last:
        for k, c in direct(first, last, regions).items():
            if department is None or k[2] == department:
                out[(k[1], k[2], k[3] or "")].update(c)
    for cell, c in point_in_time(regions, department).items():
        out[cell].update(c)
    if key is not None:
        cache.set(key, dict(out), seconds)
    return out


def summarised(first: dt.date, last: dt.date, regions: list[str] | None,
               department: str | None = None) -> list[dict[str, Any]]:
    """The summed summary rows of first..last (every day summarised) per region, department and
    item: the monthly rollup for the whole months inside the range, the daily rows for the days
    before the first and after the last whole month (one query)."""
    month = first if first.day == 1 else _next_month(first)
    months = []
    while _next_month(month) - dt.timedelta(days=1) <= last:
        months.append(month)
        month = _next_month(month)
    condition = Q() if regions is None else Q(region__in=regions)
    if department is not None:
        condition &= Q(department=department)
    keys = ("region", "department", "item")
    sums = {m: Sum(m) for m in METRICS}
    if not months:
        return list(DailyStat.objects.filter(condition, day__gte=first, day__lte=last).values(*keys)
                    .annotate(**sums).order_by())
    daily = DailyStat.objects.filter(condition).filter(
        Q(day__gte=first, day__lt=months[0]) | Q(day__gte=_next_month(months[-1]), day__lte=last))
    monthly = MonthlyStat.objects.filter(condition, month__gte=months[0], month__lte=months[-1])
    return list(daily.values(*keys).annotate(**sums).order_by()
                .union(monthly.values(*keys).annotate(**sums).order_by(), all=True))


def project(cells: dict[Cell, Counter], by: str, *, fold: dict[str, str] | None = None,
            departments: set[str] | None = None, item: str | None = None) -> dict[str, Counter]:
    """The cube summed per region, department or item; `fold` maps region codes to the row they
    count in (a city's streets to their districts), `departments` keeps only those."""
    per: dict[str, Counter] = defaultdict(Counter)
    index = _KEY_INDEX[by]
    for cell, c in cells.items():
        if departments is not None and cell[1] not in departments:
            continue
        if item is not None and cell[2] != item:
            continue
        key = cell[index]
        if fold is not None:
            if key not in fold:
                continue
            key = fold[key]
        per[key].update(c)
    return per


def point_in_time(regions: list[str] | None, department: str | None = None) -> dict[Cell, Counter]:
    """Backlog (open cases) and overdue (open, past the legal deadline) as of now: counted per
    item id from the open-cases index alone (cases migration 0006: an index-only scan, no join),
    then the item codes (one small query)."""
    from tongban.catalog.models import ServiceItem

    rows = Case.objects.filter(status__in=sorted(OPEN), item__isnull=False)
    if regions is not None:
        rows = rows.filter(region_id__in=regions)
    if department is not None:
        rows = rows.filter(department_id=department)
    today = timezone.localdate()
    counted = list(rows.values("region_id", "department_id", "item_id").annotate(
        # counted over indexed columns (status is never null), so the id need not be read
        backlog=Count("status"), overdue=Count("status", filter=Q(status=Status.ACCEPTED, deadline__lt=today)))
        .order_by())
    codes = dict(ServiceItem.objects.filter(pk__in={r["item_id"] for r in counted}).values_list("pk", "code")) \
        if counted else {}
    out: dict[Cell, Counter] = defaultdict(Counter)
    for r in counted:
        out[(r["region_id"], r["department_id"], codes[r["item_id"]])].update(
            {"backlog": r["backlog"], "overdue": r["overdue"]})
    return out


def rectification_figures(first: dt.date, last: dt.date, regions: list[str] | None,
                          department: str | None = None) -> dict[Cell, Counter]:
    """R27/R28 over the rectifications opened in the range (live: one query): opened, followed
    up (the reviewer reached), closed on time, the reviewer asked again, their own answers
    (portal, API or the SMS link: never recorded for them) and the satisfied ones (≥ 4)."""
    from django.db.models import F

    from tongban.reviews.constants import RE_RATING_CHANNELS
    from tongban.reviews.models import Rectification

    answers = sorted(RE_RATING_CHANNELS)
    rows = Rectification.objects.filter(opened_on__gte=first, opened_on__lte=last)
    if regions is not None:
        rows = rows.filter(region_id__in=regions)
    if department is not None:
        rows = rows.filter(department_id=department)
    out: dict[Cell, Counter] = defaultdict(Counter)
    fields = ("region_id", "department_id", "review__case__item__code")
    for r in rows.values(*fields).annotate(
            opened=Count("pk"), followed_up=Count("pk", filter=Q(contacted_on__isnull=False)),
            on_time=Count("pk", filter=Q(closed_on__isnull=False, closed_on__lte=F("rectify_due"))),
            asked_again=Count("pk", filter=Q(re_asked_at__isnull=False)),
            answered_again=Count("pk", filter=Q(re_level__isnull=False, re_channel__in=answers)),
            satisfied_again=Count("pk", filter=Q(re_level__gte=4, re_channel__in=answers))):
        out[(r["region_id"], r["department_id"], r["review__case__item__code"] or "")].update(
            {f"rect_{k}": v for k, v in r.items() if k not in fields})
    return out


def _ratio(a: float, b: float, digits: int = 4) -> float | None:
    return round(a / b, digits) if b else None


def figures(c: Counter) -> dict[str, Any]:
    reviews = {str(level): c[f"reviews_{level}"] for level in range(1, 6)}
    counted = sum(reviews.values())
    return {
        "filed": c["filed"], "online": c["online"], "online_rate": _ratio(c["online"], c["filed"]),
        "materials_required": c["materials_required"], "materials_avoided_count": c["materials_avoided"],
        "materials_avoided": _ratio(c["materials_avoided"], c["materials_required"]),
        "decided": c["decided"],
        "days_used": _ratio(c["days_used"], c["decided"], 2),
        "days_promised": _ratio(c["days_promised"], c["decided"], 2),
        "time_used_vs_promised": _ratio(c["days_used"], c["days_promised"]),
        "reviews": reviews, "reviews_total": counted, "reviews_excluded": c["reviews_excluded"],
        "bad_review_rate": _ratio(reviews["1"] + reviews["2"], counted),
        "backlog": c["backlog"], "overdue": c["overdue"],
        "visits": c["visits"], "visits_per_case": _ratio(c["visits"], c["decided"], 2),
        "at_most_one_visit_rate": _ratio(c["visits_le_one"], c["decided"]),
        "zero_visit_rate": _ratio(c["visits_zero"], c["decided"]),
        "meeting_rate": _ratio(c["decided"] - c["visits_zero"], c["decided"]),
        "rectification": {"opened": c["rect_opened"], "follow_up_rate": _ratio(c["rect_followed_up"], c["rect_opened"]),
                          "on_time_rate": _ratio(c["rect_on_time"], c["rect_opened"]),
                          "asked_again": c["rect_asked_again"], "answered_again": c["rect_answered_again"],
                          "satisfied_again_rate": _ratio(c["rect_satisfied_again"], c["rect_answered_again"])},
    }


def overview(first: dt.date, last: dt.date, regions: list[str] | None,
             departments: set[str] | None = None) -> dict[str, Any]:
    """`{"departments": [...], "totals": {...}, "as_of"}` for the regions (None: all) and days
    first..last; `as_of`: when the rows counted were read (see MAX_STALE)."""
    cells, as_of = cube_as_of(first, last, regions)
    out = table(project(cells, "department", departments=departments), "department")
    return {"departments": out["rows"], "totals": out["totals"], "as_of": timezone.localtime(as_of).isoformat()}


def table(per: dict[str, Counter], by: str) -> dict[str, Any]:
    """`{"rows": [{"id", "name", **figures}], "totals"}`, rows by name (one query for the names)."""
    from tongban.catalog.models import ServiceItem
    from tongban.identity.models import Department, Region

    model = {"region": Region, "department": Department, "item": ServiceItem}[by]
    field = "code" if by == "item" else "pk"
    names = dict(model.objects.filter(**{f"{field}__in": [k for k in per if k]}).values_list(field, "name"))
    total: Counter = Counter()
    rows = []
    for key in sorted(per, key=lambda k: (names.get(k, k or "~"), k)):
        total.update(per[key])
        rows.append({"id": key, "name": names.get(key) or key or "（无事项）", **figures(per[key])})
    return {"rows": rows, "totals": figures(total)}


def breakdown(first: dt.date, last: dt.date, regions: list[str] | None, by: str, *,
              departments: set[str] | None = None, department: str | None = None,
              fold: dict[str, str] | None = None) -> dict[str, Any]:
    """The figures grouped by region (folded into `fold`'s rows), department or item, within
    `department` when given."""
    return table(project(cube(first, last, regions, department), by, fold=fold, departments=departments), by)


DECISION_ACTIONS = ("approve", "deny")


def decided_cases(first: dt.date, last: dt.date, regions: list[str] | None, department: str,
                  item: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The cases of one department and item decided in the range (their visits, days used
    against promised, officer and review), and the same per officer — the bottom of the
    drill-down. A fixed number of queries whatever the number of cases."""
    from tongban.cases.models import CaseStep

    start, end = _bounds(first, last)
    rows = Case.objects.filter(department_id=department, item__code=item, status__in=DECIDED,
                               decided_at__gte=start, decided_at__lt=end)
    if regions is not None:
        rows = rows.filter(region_id__in=regions)
    rows = (rows.select_related("region").only(
        "pk", "number", "region__name", "region_id", "department_id", "channel", "status", "submitted_at",
        "decided_at", "legal_days", "legal_days_unit", "promised_days")
        .prefetch_related("clock_events", VISITS,
                          Prefetch("steps", queryset=CaseStep.objects.filter(action__in=DECISION_ACTIONS)
                                   .select_related("actor").order_by("at", "pk"), to_attr="decisions"),
                          Prefetch("reviews", queryset=Review.objects.only("pk", "case_id", "level", "excluded"),
                                   to_attr="review_rows"))
        .order_by("-decided_at", "-pk"))
    cases, officers = [], defaultdict(Counter)
    names: dict[Any, str] = {}
    for case in rows:
        day = timezone.localdate(case.decided_at)
        visits = visits_of(case)
        used = clocks.reading(case, day)["days_used"]
        step = case.decisions[-1] if case.decisions else None
        officer = step.actor_id if step else None
        names[officer] = (step.actor_label or (step.actor.get_username() if step.actor_id else "")) if step else "—"
        levels = [r.level for r in case.review_rows if not r.excluded]
        cases.append({"number": case.number, "region": case.region.name, "channel": case.channel,
                      "status": case.status, "status_words": case.get_status_display(),
                      "decided_on": day.isoformat(), "visits": visits, "days_used": used,
                      "days_promised": case.promised_days, "officer": names[officer],
                      "review": levels[0] if levels else None})
        c = officers[officer]
        c["decided"] += 1
        c["visits"] += visits
        c["visits_le_one"] += visits <= 1
        c["days_used"] += used
        c["days_promised"] += case.promised_days
        c["reviews"] += len(levels)
        c["bad"] += sum(1 for v in levels if v <= 2)
        c["level_sum"] += sum(levels)
    people = [{"officer": names[k], "decided": c["decided"],
               "visits_per_case": _ratio(c["visits"], c["decided"], 2),
               "at_most_one_visit_rate": _ratio(c["visits_le_one"], c["decided"]),
               "days_used": _ratio(c["days_used"], c["decided"], 2),
               "days_promised": _ratio(c["days_promised"], c["decided"], 2),
               "reviews": c["reviews"], "bad_reviews": c["bad"],
               "average_level": _ratio(c["level_sum"], c["reviews"], 2)}
              for k, c in sorted(officers.items(), key=lambda kv: (-kv[1]["decided"], names[kv[0]]))]
    return cases, people
