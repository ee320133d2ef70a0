"""Scoped reads of oversight: the statistics' region and range (422 naming the field), and the
alerts of the supervisor's region and below."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone

from tongban.core import audit, validation
from tongban.core.errors import FieldError, NotFound
from tongban.identity.constants import Role
from tongban.identity.models import Region
from tongban.identity.scoping import grants_of, is_admin, scope_filter

from .models import Alert

MAX_YEARS = 5
CITY = "210200"
ALERT_TARGET = "case"  # an alert's object as the hotline's urging names it (kind + number)


@audit.no_personal_data("效能统计与预警：部门与办件编号，不含个人信息")
def parse_day(value: Any, field: str) -> dt.date | None:
    return validation.parse_day(value, field)


@audit.no_personal_data("效能统计与预警：部门与办件编号，不含个人信息")
def date_range(first: Any, last: Any) -> tuple[dt.date, dt.date]:
    """Default: this year up to today. Reversed or longer than 5 years → 422 naming the field."""
    today = timezone.localdate()
    last_day = parse_day(last, "to") or today
    first_day = parse_day(first, "from") or dt.date(last_day.year, 1, 1)
    if first_day > last_day:
        raise FieldError("to", "结束日期不能早于开始日期")
    if (last_day - first_day).days > MAX_YEARS * 366:
        raise FieldError("from", f"统计区间不能超过{MAX_YEARS}年")
    return first_day, last_day


def _region(code: str | None) -> Region:
    region = Region.objects.filter(pk=code).first() if code else None
    if region is None:
        raise FieldError("region", f"未知的区划代码 {code}")
    return region


@audit.no_personal_data("效能统计与预警：部门与办件编号，不含个人信息")
def regions_under(region: Region) -> list[str] | None:
    """The codes of the region and below; None for the whole city (no condition)."""
    if region.parent_id is None:
        return None
    return list(Region.objects.filter(path__startswith=region.path).values_list("pk", flat=True))


@audit.no_personal_data("效能统计与预警：部门与办件编号，不含个人信息")
def stats_scope(user: Any, region_code: str | None) -> tuple[Region, list[str] | None, set[str] | None]:
    """(region, its codes, the departments the viewer may see or None for all). Supervisors and
    administrators: their region and below; department heads: their departments. Others 403."""
    grants = grants_of(user)
    admin = is_admin(user)
    mine = [g for g in grants if g.role in (Role.SUPERVISOR, Role.HEAD)]
    if not admin and not mine:
        raise PermissionDenied("统计概览仅供监督人员、部门负责人和管理员查看")
    paths = [g.region_path for g in mine]
    if region_code in (None, ""):
        code = CITY if admin else min(paths, key=len).rstrip("/").rsplit("/", 1)[-1]
        region = _region(code)
    else:
        region = _region(region_code)
        if not admin and not any(region.path.startswith(p) for p in paths):
            raise PermissionDenied("该区划不在您的监督范围内")
    departments = None
    if not admin and not any(g.role == Role.SUPERVISOR for g in mine):
        departments = {g.department_id for g in mine if g.department_id}
    return region, regions_under(region), departments


@audit.no_personal_data("效能统计与预警：部门与办件编号，不含个人信息")
def public_scope(region_code: str | None) -> tuple[Region, list[str] | None]:
    region = _region(region_code or CITY)
    return region, regions_under(region)


# --- alerts -----------------------------------------------------------------------------------------

@audit.no_personal_data("效能统计与预警：部门与办件编号，不含个人信息")
def visible_alerts(user: Any) -> QuerySet[Alert]:
    if not is_admin(user) and not any(g.role == Role.SUPERVISOR for g in grants_of(user)):
        raise PermissionDenied("监察预警仅供监督人员查看")
    condition = scope_filter(Alert, user, owner=False)
    return Alert.objects.all() if condition is None else Alert.objects.filter(condition)


@audit.no_personal_data("效能统计与预警：部门与办件编号，不含个人信息")
def get_alert(user: Any, alert_id: int) -> Alert:
    alert = visible_alerts(user).select_related("case", "department").filter(pk=alert_id).first()
    if alert is None:
        raise NotFound("未找到该预警")
    return alert


@audit.no_personal_data("效能统计与预警：部门与办件编号，不含个人信息")
def alert_row(a: Alert) -> dict[str, Any]:
    return {"id": a.pk, "kind": a.kind, "kind_words": a.get_kind_display(), "severity": a.severity,
            "severity_words": a.get_severity_display(), "case": a.case.number, "department": a.department_id,
            "region": a.region_id, "state": a.state, "state_words": a.get_state_display(), "evidence": a.evidence,
            "reason": a.reason, "opened_at": timezone.localtime(a.opened_at).isoformat()}


@audit.no_personal_data("督办事由的默认文字：预警类别与办件编号")
def urging_reason(alert: Alert) -> str:
    """The default reason of a 督办 about an alert's case (the supervisor may write their own)."""
    return (f"效能监察预警：办件 {alert.case.number}{alert.get_kind_display()}。"
            "请部门负责人督促办理，并在回复期限内回复办理情况。")


@audit.scoped_lookup("预警及其办件的督办（12345 督办机制）：级别、状态、回复期限与部门回复，不含个人信息")
def alert_rows(user: Any, alerts: list[Alert]) -> list[dict[str, Any]]:
    """The alerts' rows, each with the urgings of its object, newest first — sent through the
    hotline's urging mechanism, which holds their state, escalation and the department's reply
    (one query for the page)."""
    from tongban.hotline import urging_selectors

    numbers = {a.case.number for a in alerts}
    found: dict[str, list[dict[str, Any]]] = {}
    if numbers:
        urgings = (urging_selectors.urgings_for(user).filter(target_kind=ALERT_TARGET, target_number__in=numbers)
                   .order_by("-created_at", "-id"))
        for u in urgings:
            found.setdefault(u.target_number, []).append(urging_selectors.row(u))
    return [{**alert_row(a), "urgings": found.get(a.case.number, [])} for a in alerts]


# --- the drill-down (city → district → department → item → cases and officers) ------------------------

@audit.no_personal_data("效能统计与预警：部门与办件编号，不含个人信息")
def districts_of(region: Region) -> tuple[list[Region], dict[str, str]]:
    """The regions one level below `region` and, for every code under each, the child it folds into."""
    children = list(Region.objects.filter(parent=region).order_by("path"))
    fold: dict[str, str] = {}
    if children:
        for code, path in Region.objects.filter(path__startswith=region.path).values_list("pk", "path"):
            child = next((c for c in children if path.startswith(c.path)), None)
            if child is not None:
                fold[code] = child.pk
    return children, fold


@audit.no_personal_data("效能统计与预警：部门与办件编号，不含个人信息")
def drill_scope(user: Any, region_code: str | None, department: str | None,
                item: str | None) -> tuple[Region, list[str] | None, set[str] | None, Any, Any]:
    """The viewer's region (stats_scope) and the department and item asked for: an unknown one →
    422 naming the field; a department outside a head's own → 404; an item not of the department
    → 422."""
    from tongban.catalog.models import ServiceItem
    from tongban.identity.models import Department

    region, codes, departments = stats_scope(user, region_code)
    dept = None
    if department:
        dept = Department.objects.filter(pk=department).first()
        if dept is None:
            raise FieldError("department", f"未知的部门 {department}")
        if departments is not None and dept.pk not in departments:
            raise NotFound("未找到该部门的统计")
    service_item = None
    if item:
        if dept is None:
            raise FieldError("department", "按事项查看须先指定部门")
        service_item = ServiceItem.objects.filter(code=item, department_id=dept.pk).first()
        if service_item is None:
            raise FieldError("item", f"{dept.name}没有事项 {item}")
    return region, codes, departments, dept, service_item
