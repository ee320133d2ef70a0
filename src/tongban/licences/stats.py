"""Materials avoided (R12): counts of case materials by how they reached the case, for
supervisors (their region), department heads (their department in their region) and admins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from tongban.core.errors import FieldError
from tongban.identity.constants import Role
from tongban.identity.models import Region
from tongban.identity.scoping import grants_of, is_admin, scope_filter

PROVISIONS = ("uploaded", "reused", "fetched", "missing", "promised")
GROUPS = {"department": ("case__department_id", "case__department__name"),
          "item": ("case__item__code", "case__item__name"),
          "region": ("case__region_id", "case__region__name"),
          "month": ("month", None)}
STATS_ROLES = frozenset({Role.SUPERVISOR, Role.HEAD})


def _date(value: str, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FieldError(field, "日期格式应为 YYYY-MM-DD") from None


def _counts(rows) -> dict[str, Any]:
    counts = dict.fromkeys(PROVISIONS, 0)
    for provision, n in rows:
        if provision in counts:
            counts[provision] += n
    total = sum(counts.values())
    avoided = counts["reused"] + counts["fetched"]
    return {**counts, "total": total, "avoided": avoided, "avoided_share": round(avoided / total, 4) if total else 0.0}


def materials(user: Any, *, date_from: str = "", date_to: str = "", region: str = "", department: str = "",
              item: str = "", group_by: str = "") -> dict[str, Any]:
    if not (is_admin(user) or any(g.role in STATS_ROLES for g in grants_of(user))):
        raise PermissionDenied
    start, end = _date(date_from, "from"), _date(date_to, "to")
    if start and end and start > end:
        raise FieldError("to", "结束日期不能早于开始日期")
    if group_by and group_by not in GROUPS:
        raise FieldError("group_by", f"分组应为：{'、'.join(GROUPS)}")
    from tongban.cases.models import Case, CaseMaterial

    condition = scope_filter(Case, user, owner=False)
    if not is_admin(user):  # heads and supervisors only: an officer's department grant adds nothing here
        condition = Q(pk__in=[])
        for g in grants_of(user):
            if g.role == Role.HEAD:
                condition |= Q(department_id=g.department_id, region__path__startswith=g.region_path)
            elif g.role == Role.SUPERVISOR:
                condition |= Q(region__path__startswith=g.region_path)
    cases = Case.objects.filter(condition) if condition is not None else Case.objects.all()
    if start:
        cases = cases.filter(submitted_at__date__gte=start)
    if end:
        cases = cases.filter(submitted_at__date__lte=end)
    if region:
        place = Region.objects.filter(pk=region).first()
        if place is None:
            raise FieldError("region", f"未知的区划代码：{region}")
        cases = cases.filter(region__path__startswith=place.path)
    if department:
        cases = cases.filter(department_id=department)
    if item:
        cases = cases.filter(item__code=item)
    rows = CaseMaterial.objects.filter(case__in=cases.values("pk"))
    out = _counts(rows.values_list("provision").annotate(n=Count("id")).values_list("provision", "n"))
    out["filters"] = {"from": date_from or None, "to": date_to or None, "region": region or None,
                      "department": department or None, "item": item or None, "group_by": group_by or None}
    if group_by:
        out["groups"] = _grouped(rows, group_by)
    return out


def _grouped(rows, group_by: str) -> list[dict[str, Any]]:
    key, name = GROUPS[group_by]
    if group_by == "month":
        rows = rows.annotate(month=TruncMonth("case__submitted_at"))
        fields = ["month"]
    else:
        fields = [key, name]
    per: dict[Any, dict[str, Any]] = {}
    for row in rows.values(*fields, "provision").annotate(n=Count("id")).order_by(*fields):
        k = row[key]
        label = row[name] if name else (k.strftime("%Y-%m") if k else "")
        entry = per.setdefault(k, {"key": k.strftime("%Y-%m") if group_by == "month" and k else k, "name": label,
                                   "rows": []})
        entry["rows"].append((row["provision"], row["n"]))
    return [{"key": e["key"], "name": e["name"], **_counts(e["rows"])} for e in per.values()]
