"""Statistics (R28, S0 二(三), issue 9 items 7–8): per department, from the cases (channel,
materials' provision R12, clocks, state) and the reviews (R26).

One direct computation over the raw rows (`direct`) feeds both the daily summary tables
(`refresh_days`, only the days touched since the last run — `refresh_touched`, the scheduled
job) and the live figures of today and of any day not summarised yet. The overview adds the
summaries of the past to the live rows, then the point-in-time figures (backlog, overdue): the
same numbers on the API, the public page and the Excel export.

Visits (首问登记 S3 16, 最多跑一次 S0 二(三)): a finished case's visits are the distinct days the
applicant came in person — the day of a window filing and the days of the window visits
registered for the case (a visit that led to a window filing the same day is one visit). They
are counted on the decision day: `visits` (sum), `visits_zero` (一次不用跑) and `visits_le_one`
(最多跑一次). `breakdown` groups the same figures by region, department or item (the drill-down);
`decided_cases` lists the cases and officers below an item."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from tongban.cases import clocks
from tongban.cases.constants import OPEN, Channel, Provision, Status
from tongban.cases.models import Case, CaseMaterial
from tongban.core import summaries
from tongban.reviews.models import Review, WindowVisit

from .models import DailyStat, StatsWatermark

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
    days = {timezone.localdate(v.at) for v in case.visits.all()}
    if case.channel == Channel.WINDOW and case.submitted_at is not None:
        days.add(timezone.localdate(case.submitted_at))
    return len(days)


def _decided(out: dict[Key, Counter], rows: Any) -> None:
    rows = rows.select_related("item").only(
        "pk", "region_id", "department_id", "item__code", "channel", "submitted_at", "decided_at", "legal_days",
        "legal_days_unit", "promised_days", "status").prefetch_related("clock_events", VISITS)
    for case in rows:
        day = timezone.localdate(case.decided_at)
        c = out[(day, case.region_id, case.department_id, case.item.code, case.channel)]
        c["decided"] += 1
        c["days_used"] += clocks.reading(case, day)["days_used"]
        c["days_promised"] += case.promised_days
        visits = visits_of(case)
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
    """Recompute the rows of each day from the raw rows (a day at a time: delete, insert)."""
    written = 0
    for day in sorted(set(days)):
        rows = direct(day, day)
        with transaction.atomic():
            DailyStat.objects.filter(day=day).delete()
            DailyStat.objects.bulk_create([DailyStat(day=k[0], region=k[1], department=k[2], item=k[3] or "",
                                                     channel=k[4], **{m: c[m] for m in METRICS})
                                           for k, c in rows.items() if any(c.values())])
        written += len(rows)
    return written


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


def cube(first: dt.date, last: dt.date, regions: list[str] | None,
         department: str | None = None) -> dict[Cell, Counter]:
    """Every figure per (region, department, item) for the days first..last: summaries where a
    day is summarised, the raw rows for the rest (today and any day the job has not reached),
    plus the point-in-time backlog and overdue and the rectifications opened in the range. One
    pass whatever the grouping asked for (`project`): a dashboard page stays at a fixed number
    of queries."""
    out: dict[Cell, Counter] = defaultdict(Counter)
    if first > last:
        return out
    mark = StatsWatermark.objects.filter(name=WATERMARK).values_list("summarised_through", flat=True).first()
    through = min(mark, last) if mark else None
    live_from = first
    if through is not None and through >= first:
        rows = DailyStat.objects.filter(day__gte=first, day__lte=through)
        if regions is not None:
            rows = rows.filter(region__in=regions)
        if department is not None:
            rows = rows.filter(department=department)
        for r in rows.values("region", "department", "item").annotate(**{m: Sum(m) for m in METRICS}):
            out[(r["region"], r["department"], r["item"])].update({m: r[m] or 0 for m in METRICS})
        live_from = through + dt.timedelta(days=1)
    if live_from <= last:
        for key, c in direct(live_from, last, regions).items():
            if department is None or key[2] == department:
                out[(key[1], key[2], key[3] or "")].update(c)
    for cell, c in point_in_time(regions, department).items():
        out[cell].update(c)
    for cell, c in rectification_figures(first, last, regions, department).items():
        out[cell].update(c)
    return out


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
    """Backlog (open cases) and overdue (open, past the legal deadline) as of now."""
    rows = Case.objects.filter(status__in=sorted(OPEN), item__isnull=False)
    if regions is not None:
        rows = rows.filter(region_id__in=regions)
    if department is not None:
        rows = rows.filter(department_id=department)
    today = timezone.localdate()
    out: dict[Cell, Counter] = defaultdict(Counter)
    for r in rows.values("region_id", "department_id", "item__code").annotate(
            backlog=Count("pk"), overdue=Count("pk", filter=Q(status=Status.ACCEPTED, deadline__lt=today))):
        out[(r["region_id"], r["department_id"], r["item__code"])].update(
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
    """`{"departments": [...], "totals": {...}}` for the regions (None: all) and days first..last."""
    out = table(project(cube(first, last, regions), "department", departments=departments), "department")
    return {"departments": out["rows"], "totals": out["totals"]}


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
