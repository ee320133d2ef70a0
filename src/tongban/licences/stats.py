"""Materials avoided (R12): counts of case materials by how they reached the case, for
supervisors (their region), department heads (their department in their region) and admins.

Whole days up to the rollup's watermark are read from `MaterialDailyStat` (per submission day ×
region × department × item × provision, refreshed every 15 minutes by `refresh_touched`: the
submission days of cases changed or stepped since the last run, and the days that ended); today
and any day not yet summarised are counted straight from the case materials, so the answer is
the direct count as of the last refresh. `materials(..., direct=True)` counts everything directly
(the tests compare the two)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from tongban.core import summaries
from tongban.core.errors import FieldError
from tongban.core.validation import parse_day
from tongban.identity.constants import Role
from tongban.identity.models import Region
from tongban.identity.scoping import grants_of, is_admin

from .models import MaterialDailyStat, MaterialStatsMark

PROVISIONS = ("uploaded", "reused", "fetched", "missing", "promised")
GROUPS = ("department", "item", "region", "month")
MARK = "daily"
STATS_ROLES = frozenset({Role.SUPERVISOR, Role.HEAD})


def _counts(rows) -> dict[str, Any]:
    counts = dict.fromkeys(PROVISIONS, 0)
    for provision, n in rows:
        if provision in counts:
            counts[provision] += n
    total = sum(counts.values())
    avoided = counts["reused"] + counts["fetched"]
    return {**counts, "total": total, "avoided": avoided, "avoided_share": round(avoided / total, 4) if total else 0.0}


def _tz():
    return timezone.get_current_timezone()


def _prefixed(q: Q, prefix: str) -> Q:
    """`q` with every lookup under `prefix` (a case condition applied to its materials)."""
    out = Q(_connector=q.connector, _negated=q.negated)
    out.children = [_prefixed(c, prefix) if isinstance(c, Q) else (prefix + c[0], c[1]) for c in q.children]
    return out


def materials(user: Any, *, date_from: str = "", date_to: str = "", region: str = "", department: str = "",
              item: str = "", group_by: str = "", direct: bool = False) -> dict[str, Any]:
    if not (is_admin(user) or any(g.role in STATS_ROLES for g in grants_of(user))):
        raise PermissionDenied
    start, end = parse_day(date_from, "from"), parse_day(date_to, "to")
    if start and end and start > end:
        raise FieldError("to", "结束日期不能早于开始日期")
    if group_by and group_by not in GROUPS:
        raise FieldError("group_by", f"分组应为：{'、'.join(GROUPS)}")
    from tongban.cases.models import CaseMaterial

    # one condition on fields that cases and rollup rows share (department_id, region, item)
    condition = Q()
    if not is_admin(user):  # heads and supervisors only: an officer's department grant adds nothing here
        condition = Q(pk__in=[])
        for g in grants_of(user):
            if g.role == Role.HEAD:
                condition |= Q(department_id=g.department_id, region__path__startswith=g.region_path)
            elif g.role == Role.SUPERVISOR:
                condition |= Q(region__path__startswith=g.region_path)
    if region:
        place = Region.objects.filter(pk=region).first()
        if place is None:
            raise FieldError("region", f"未知的区划代码：{region}")
        condition &= Q(region__path__startswith=place.path)
    if department:
        condition &= Q(department_id=department)
    if item:
        condition &= Q(item__code=item)
    through = None if direct else MaterialStatsMark.objects.filter(name=MARK).values_list(
        "summarised_through", flat=True).first()
    live_from = start
    parts = []  # (queryset, count expression)
    if through is not None and (start is None or start <= through):
        rolled = MaterialDailyStat.objects.filter(condition, day__lte=min(through, end) if end else through)
        if start:
            rolled = rolled.filter(day__gte=start)
        parts.append((rolled, Sum("n")))
        live_from = through + dt.timedelta(days=1)
    if not (through is not None and end is not None and end <= through):
        rows = CaseMaterial.objects.filter(_prefixed(condition, "case__")) if condition else CaseMaterial.objects.all()
        if live_from:
            rows = rows.filter(case__submitted_at__gte=dt.datetime.combine(live_from, dt.time.min, tzinfo=_tz()))
        if end:
            rows = rows.filter(case__submitted_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min,
                                                                          tzinfo=_tz()))
        parts.append((rows, Count("id")))
    totals: list[tuple[str, int]] = []
    for qs, measure in parts:
        totals += list(qs.values_list("provision").annotate(n=measure).values_list("provision", "n"))
    out = _counts(totals)
    out["filters"] = {"from": date_from or None, "to": date_to or None, "region": region or None,
                      "department": department or None, "item": item or None, "group_by": group_by or None}
    if group_by:
        out["groups"] = _grouped(parts, group_by)
    return out


def _grouped(parts, group_by: str) -> list[dict[str, Any]]:
    """Per group: counted by the foreign key alone (no join in the big aggregation), then the
    group's key and name looked up once — the key is the department id, the item code, the region code."""
    from tongban.catalog.models import ServiceItem
    from tongban.identity.models import Department

    per_id: dict[Any, list[tuple[str, int]]] = {}
    for qs, measure in parts:
        rolled = qs.model is MaterialDailyStat
        if group_by == "month":
            field = "month"
            qs = qs.annotate(month=TruncMonth("day") if rolled else TruncMonth("case__submitted_at", tzinfo=_tz()))
        else:
            field = f"{group_by}_id" if rolled else f"case__{group_by}_id"
        for row in qs.values(field, "provision").annotate(n=measure).order_by():
            k = row[field]
            if group_by == "month" and k is not None:
                k = k.strftime("%Y-%m")
            per_id.setdefault(k, []).append((row["provision"], row["n"]))
    if group_by == "month":
        labels = {k: (k, k or "") for k in per_id}
    else:
        model, key = {"department": (Department, "pk"), "item": (ServiceItem, "code"),
                      "region": (Region, "pk")}[group_by]
        labels = {pk: (k, name) for pk, k, name in
                  model.objects.filter(pk__in=[k for k in per_id if k is not None]).values_list("pk", key, "name")}
    per: dict[Any, dict[str, Any]] = {}
    for k, rows in per_id.items():
        key_, label = labels.get(k, (None, None))
        per.setdefault(key_, {"key": key_, "name": label, "rows": []})["rows"].extend(rows)
    ordered = sorted(per.values(), key=lambda e: (e["key"] is None, e["key"] or "", e["name"] or ""))
    return [{"key": e["key"], "name": e["name"], **_counts(e["rows"])} for e in ordered]


# --- the rollup ----------------------------------------------------------------------------------------

def refresh_days(days: Iterable[dt.date]) -> int:
    """Rewrite the rollup rows of `days` from the case materials (consecutive days in one query)."""
    from tongban.cases.models import CaseMaterial

    runs: list[list[dt.date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][-1] == dt.timedelta(days=1) and len(runs[-1]) < 31:
            runs[-1].append(day)
        else:
            runs.append([day])
    written = 0
    for run in runs:
        first = dt.datetime.combine(run[0], dt.time.min, tzinfo=_tz())
        after = dt.datetime.combine(run[-1] + dt.timedelta(days=1), dt.time.min, tzinfo=_tz())
        agg = (CaseMaterial.objects.filter(case__submitted_at__gte=first, case__submitted_at__lt=after)
               .annotate(day=TruncDate("case__submitted_at", tzinfo=_tz()))
               .values("day", "case__region_id", "case__department_id", "case__item_id", "provision")
               .annotate(n=Count("id")).order_by())
        with transaction.atomic():
            MaterialDailyStat.objects.filter(day__gte=run[0], day__lte=run[-1]).delete()
            made = MaterialDailyStat.objects.bulk_create(
                [MaterialDailyStat(day=r["day"], region_id=r["case__region_id"], department_id=r["case__department_id"],
                                   item_id=r["case__item_id"], provision=r["provision"], n=r["n"]) for r in agg],
                batch_size=5000)
        written += len(made)
    return written


def _touched_days(since: dt.datetime) -> set[dt.date]:
    """Submission days of cases written since then: saved (`updated_at`), stepped (acceptance,
    correction, consent fetch and withdrawal) or named by a write audit record — every write to a
    case's materials is audited against the case, an upload that only updates its material included."""
    from tongban.cases.models import Case, CaseStep
    from tongban.core.models import AuditRecord

    local_day = TruncDate("submitted_at", tzinfo=_tz())
    days = set(Case.objects.filter(updated_at__gte=since).annotate(d=local_day).values_list("d", flat=True).distinct())
    days |= set(CaseStep.objects.filter(at__gte=since).annotate(d=TruncDate("case__submitted_at", tzinfo=_tz()))
                .values_list("d", flat=True).distinct())
    written = {int(pk) for pk in AuditRecord.objects.filter(
        created_at__gte=since, kind=AuditRecord.Kind.WRITE, object_type=Case._meta.label_lower)
        .values_list("object_id", flat=True).distinct() if pk.isdigit()}
    if written:
        days |= set(Case.objects.filter(pk__in=written).annotate(d=local_day).values_list("d", flat=True).distinct())
    return days


def refresh_touched(now: dt.datetime | None = None) -> list[dt.date]:
    """The scheduled job: the days whose cases changed since the last run and the days that
    ended since then — never today, which the report counts live."""
    from tongban.cases.models import Case

    mark, _ = MaterialStatsMark.objects.get_or_create(name=MARK)
    return summaries.refresh(
        mark, now=now, refresh_days=refresh_days, touched=_touched_days,
        first_at=lambda: Case.objects.order_by("submitted_at").values_list("submitted_at", flat=True).first())
