"""The annual report on government information disclosure (R18) in the national template
(国办公开办函〔2021〕30号): tables (二)–(四) computed from the platform, (一) and (五) written by
staff (placeholders until they are). Counts owned by other apps come through core's
statistics providers when they are registered, else zero and marked so."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q

from tongban.core.calendar import add_working_days

from .constants import OPEN_STATES, PROACTIVE_DAYS, ReplyType, RequesterType
from .models import ConsultationPage, DisclosureRequest, PolicyDocumentPage

COLUMNS = [t.value for t in RequesterType]


def _provider(name: str, year: int) -> tuple[int | None, str]:
    """A count other apps own (licences, penalties, compulsory measures, fees)."""
    try:
        from tongban.core import stats  # type: ignore[attr-defined]
    except ImportError:
        return None, "未接入"
    get = getattr(stats, "value", None)
    if get is None:
        return None, "未接入"
    try:
        return get(name, year=year), "平台数据"
    except Exception:
        return None, "未接入"


def _by_type(rows) -> dict[str, int]:
    counts = dict.fromkeys(COLUMNS, 0)
    for row in rows.values("requester_type").annotate(n=Count("pk")):
        counts[row["requester_type"]] = row["n"]
    counts["total"] = sum(counts[c] for c in COLUMNS)
    return counts


def proactive(year: int) -> dict[str, Any]:
    docs = PolicyDocumentPage.objects.live()
    normative = docs.filter(normative=True)
    made = normative.filter(published_on__year=year).count()
    repealed = normative.filter(
        Q(validity_changed_on__year=year) | Q(validity_changed_on__isnull=True, latest_revision_created_at__year=year),
        validity__in=["repealed", "expired", "amended"],
    ).count()
    end = dt.date(year, 12, 31)
    in_force = (
        normative.filter(published_on__lte=end)
        .filter(Q(validity="valid") | Q(validity_changed_on__gt=end))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=end))
        .count()
    )
    late = _published_late(docs.filter(published_on__year=year, formed_on__isnull=False))
    rows = {
        "规章": {"made": 0, "repealed": 0, "in_force": 0, "source": "本平台未登记规章"},
        "行政规范性文件": {"made": made, "repealed": repealed, "in_force": in_force, "source": "平台数据"},
    }
    extra = {}
    for key, label in (
        ("licences", "行政许可"),
        ("penalties", "行政处罚"),
        ("compulsory", "行政强制"),
        ("fees", "行政事业性收费（万元）"),
    ):
        value, source = _provider(f"disclosure.{key}", year)
        extra[label] = {"count": value or 0, "source": source}
    return {
        "规章和规范性文件": rows,
        "决定事项": extra,
        "主动公开文件": docs.filter(published_on__year=year).count(),
        "逾期公开（R13）": late,
    }


def _published_late(docs) -> int:
    """R13: documents published after their due date (20 working days after forming), counted
    per distinct (formed, published) pair, so the year's documents are not loaded one by one."""
    pairs = docs.values("formed_on", "published_on").annotate(n=Count("pk")).order_by()
    due: dict[dt.date, dt.date] = {}
    late = 0
    for row in pairs:
        formed = row["formed_on"]
        if formed not in due:
            due[formed] = add_working_days(formed, PROACTIVE_DAYS)
        late += row["n"] if row["published_on"] > due[formed] else 0
    return late


def requests(year: int) -> dict[str, Any]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    new = DisclosureRequest.objects.filter(received_on__range=(start, end))
    carried_in = DisclosureRequest.objects.filter(received_on__lt=start).filter(
        Q(replied_on__gte=start) | Q(replied_on__isnull=True, state__in=OPEN_STATES)
    )
    replied = DisclosureRequest.objects.filter(replied_on__range=(start, end))
    outcomes = {}
    for reply in ReplyType:
        rows = replied.filter(reply_type=reply.value)
        entry = {"label": reply.label, **_by_type(rows)}
        if reply.value in ("not_disclosed", "cannot_provide", "not_processed"):
            entry["by_reason"] = {
                r["reply_reason"]: r["n"] for r in rows.values("reply_reason").annotate(n=Count("pk"))
            }
        outcomes[reply.value] = entry
    withdrawn = DisclosureRequest.objects.filter(
        state="withdrawn", events__action__in=["withdraw", "correction-expired"], events__on__range=(start, end)
    ).distinct()
    carried_out = DisclosureRequest.objects.filter(received_on__lte=end).filter(
        Q(replied_on__gt=end) | Q(replied_on__isnull=True, state__in=OPEN_STATES)
    )
    return {
        "columns": {c.value: c.label for c in RequesterType},
        "本年新收政府信息公开申请数量": _by_type(new),
        "上年结转政府信息公开申请数量": _by_type(carried_in),
        "本年度办理结果": outcomes,
        "撤回申请": _by_type(withdrawn),
        "总计": _by_type(replied),
        "结转下年度继续办理": _by_type(carried_out),
        "延期答复": new.filter(extension_days__gt=0).count(),
    }


def review_and_litigation(year: int) -> dict[str, Any]:
    result = {}
    for key, label in (("reconsideration", "行政复议"), ("litigation", "行政诉讼")):
        value, source = _provider(f"disclosure.{key}", year)
        result[label] = {"维持": 0, "纠正": 0, "其他结果": 0, "尚未审结": 0, "总计": value or 0, "source": source}
    return result


def report(year: int, site: str = "") -> dict[str, Any]:
    consultations = ConsultationPage.objects.live().filter(opens_on__year=year).count()
    table2 = proactive(year)
    return {
        "year": year,
        "site": site or "city",
        "一、总体情况": {
            "text": f"{year}年，本机关坚持以公开为常态、不公开为例外，主动公开政策文件"
            f"{table2['主动公开文件']}件，"
            f"开展意见征集{consultations}次。（由工作人员补充完善）",
            "written_by_staff": True,
        },
        "二、主动公开政府信息情况": table2,
        "三、收到和处理政府信息公开申请情况": requests(year),
        "四、政府信息公开行政复议、行政诉讼情况": review_and_litigation(year),
        "五、存在的主要问题及改进情况": {"text": "（由工作人员填写）", "written_by_staff": True},
        "六、其他需要报告的事项": {"text": "（由工作人员填写）", "written_by_staff": True},
    }
