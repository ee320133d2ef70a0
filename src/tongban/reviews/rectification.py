"""差评整改 (R27), the write path: open on a bad review, then verify (属实/部分属实/不属实 with
evidence), contact (when, how, what; failed attempts recorded), rectify or explain with an
outcome, the reviewer asked again (the new rating kept beside the first). A supervisor may send
a closed one back, and decides a department's request to exclude a review (with a reason;
excluded reviews are counted as excluded, never deleted).

Every action locks the row (`select_for_update`) and checks the state: two heads closing at
once → one outcome, the other 409."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tongban.core import audit
from tongban.core.calendar import add_working_days
from tongban.core.errors import Conflict, FieldError, NotFound

from . import permissions
from .constants import (
    ACTION_LABELS,
    DEPARTMENT_ACTIONS,
    MAX_TEXT,
    RECT_ACTIONS,
    RECTIFY_DAYS,
    REVIEWER_ACTIONS,
    SUPERVISOR_ACTIONS,
    VERIFY_DAYS,
    ExclusionState,
    Finding,
    Level,
    OutcomeKind,
    RectState,
)
from .models import Rectification, RectificationStep, Review


def _text(value: Any, field: str, what: str, *, required: bool = False) -> str:
    value = (value if isinstance(value, str) else "").strip()
    if required and not value:
        raise FieldError(field, f"请填写{what}")
    if len(value) > MAX_TEXT:
        raise FieldError(field, f"{what}不能超过{MAX_TEXT}个字")
    return value


def _step(rect: Rectification, actor: Any, action: str, note: str = "", **data: Any) -> None:
    label = (getattr(actor, "name", "") or actor.get_username()) if actor is not None else "系统"
    RectificationStep.objects.create(rectification=rect, at=timezone.now(), actor=actor, actor_label=label[:100],
                                     action=action, note=note[:MAX_TEXT], data=data)


def open_for(review: Review, on: dt.date | None = None) -> Rectification:
    """A bad review (levels 1–2) → a rectification of the department that served (R27)."""
    on = on or timezone.localdate(review.created_at)
    rect = Rectification.objects.create(
        review=review, department_id=review.department_id, region_id=review.region_id, opened_on=on,
        verify_due=add_working_days(on, VERIFY_DAYS), rectify_due=add_working_days(on, RECTIFY_DAYS))
    _step(rect, None, "open", f"差评（{Level(review.level).label}）自动生成整改单")
    audit.record("reviews.rectification.open", obj=rect, subject_id=review.reviewer_id,
                 data={"review": review.pk, "level": review.level})
    return rect


def _authorise(actor: Any, rect: Rectification, action: str) -> None:
    if action in DEPARTMENT_ACTIONS and not permissions.serves(actor, rect):
        raise PermissionDenied("只有被评价部门的负责人或工作人员可以办理整改")
    if action in SUPERVISOR_ACTIONS and not permissions.supervises(actor, rect):
        raise PermissionDenied("只有监督人员可以退回或审核剔除申请")
    if action in REVIEWER_ACTIONS and rect.review.reviewer_id != actor.pk:
        raise PermissionDenied("只有评价人本人可以回访再评价")


def _need(rect: Rectification, *states: str) -> None:
    if rect.state not in states:
        raise Conflict(f"整改单当前状态为“{RectState(rect.state).label}”，不能执行此操作")


def perform(actor: Any, review_id: int, action: str, body: dict[str, Any], visible: Any) -> Rectification:
    """Run one action on the rectification of review `review_id` among `visible` (the actor's
    scope: else 404)."""
    if action not in RECT_ACTIONS:
        raise NotFound(f"未知的整改操作 {action}")
    with transaction.atomic():
        rect = visible.select_for_update(of=("self",)).filter(review_id=review_id).first()
        if rect is None:
            raise NotFound("未找到该整改单")
        rect = Rectification.objects.select_related("review", "region").get(pk=rect.pk)
        _authorise(actor, rect, action)
        handler = HANDLERS[action]
        note, data = handler(actor, rect, body)
        rect.save()
        _step(rect, actor, action, note, **data)
        audit.record(f"reviews.rectification.{action}", obj=rect, subject_id=rect.review.reviewer_id,
                     data={"review": rect.review_id, **data})
    return rect


def _verify(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    _need(rect, RectState.OPEN)
    finding = body.get("finding")
    if finding not in Finding.values:
        labels = "、".join(f"{v}（{label}）" for v, label in Finding.choices)
        raise FieldError("finding", f"核实结论应为：{labels}")
    evidence = _text(body.get("evidence"), "evidence", "核实依据", required=True)
    if rect.verified_on is not None:
        raise Conflict("已经核实过")
    rect.finding, rect.evidence, rect.verified_on = finding, evidence, timezone.localdate()
    return f"核实：{Finding(finding).label}。{evidence}", {"finding": finding}


def _contact_fields(body: dict[str, Any]) -> dict[str, str]:
    how = _text(body.get("how"), "how", "联系方式（电话、短信、上门……）", required=True)
    when = _text(body.get("when"), "when", "联系时间") or timezone.localtime().isoformat(timespec="minutes")
    return {"how": how[:40], "when": when[:40]}


def _contact(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    _need(rect, RectState.OPEN)
    fields = _contact_fields(body)
    what = _text(body.get("what"), "what", "沟通内容", required=True)
    rect.contacted_on = rect.contacted_on or timezone.localdate()
    return f"{fields['when']} 以{fields['how']}联系评价人：{what}", {**fields, "succeeded": True}


def _contact_failed(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    _need(rect, RectState.OPEN)
    fields = _contact_fields(body)
    why = _text(body.get("what"), "what", "未联系上的情况") or "未接通"
    return f"{fields['when']} 以{fields['how']}联系评价人未成功：{why}", {**fields, "succeeded": False}


def _close(rect: Rectification, body: dict[str, Any], kind: str) -> tuple[str, dict]:
    _need(rect, RectState.OPEN)
    outcome = _text(body.get("outcome"), "outcome", "整改或解释的结果", required=True)
    errors = []
    if rect.verified_on is None:
        errors.append(("finding", "请先核实差评（verify）"))
    if not rect.steps.filter(action__in=("contact", "contact-failed")).exists():
        errors.append(("how", "请先联系评价人并记录（contact 或 contact-failed，R27 差评100%回访）"))
    if errors:
        raise FieldError(errors=errors)
    rect.outcome_kind, rect.outcome, rect.closed_on = kind, outcome, timezone.localdate()
    rect.state = RectState.CLOSED
    return f"{OutcomeKind(kind).label}：{outcome}", {"outcome_kind": kind}


def _rectify(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    return _close(rect, body, OutcomeKind.RECTIFIED)


def _explain(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    return _close(rect, body, OutcomeKind.EXPLAINED)


def _send_back(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    _need(rect, RectState.CLOSED)
    reason = _text(body.get("reason"), "reason", "退回理由", required=True)
    rect.state, rect.closed_on, rect.sent_back = RectState.OPEN, None, rect.sent_back + 1
    return f"退回重办：{reason}", {"previous_outcome": rect.outcome}


def _request_exclusion(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    _need(rect, RectState.OPEN, RectState.CLOSED)
    if rect.exclusion in (ExclusionState.REQUESTED, ExclusionState.EXCLUDED, ExclusionState.KEPT):
        raise Conflict("已经申请过剔除")
    rect.exclusion_reason = _text(body.get("reason"), "reason", "申请剔除的理由（恶意或与服务无关）", required=True)
    rect.exclusion = ExclusionState.REQUESTED
    return f"申请剔除：{rect.exclusion_reason}", {}


def _decide_exclusion(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    if rect.exclusion != ExclusionState.REQUESTED:
        raise Conflict("没有待审核的剔除申请")
    decision = body.get("decision")
    if decision not in ("exclude", "keep"):
        raise FieldError("decision", "审核结论应为 exclude（剔除）或 keep（不予剔除）")
    reason = _text(body.get("reason"), "reason", "审核理由", required=True)
    rect.exclusion_decision_reason = reason
    if decision == "exclude":
        rect.exclusion, rect.state = ExclusionState.EXCLUDED, RectState.EXCLUDED
        Review.objects.filter(pk=rect.review_id).update(excluded=True, updated_at=timezone.now())
    else:
        rect.exclusion = ExclusionState.KEPT
    return f"剔除审核：{'剔除' if decision == 'exclude' else '不予剔除'}。{reason}", {"decision": decision}


def _re_rate(actor: Any, rect: Rectification, body: dict[str, Any]) -> tuple[str, dict]:
    from .checks import check_level

    level = check_level(body.get("level"))
    _need(rect, RectState.CLOSED)
    rect.re_level, rect.re_rated_at, rect.state = level, timezone.now(), RectState.RERATED
    return f"回访再评价：{Level(level).label}（首次：{Level(rect.review.level).label}）", {"level": level}


HANDLERS = {
    "verify": _verify, "contact": _contact, "contact-failed": _contact_failed, "rectify": _rectify,
    "explain": _explain, "send-back": _send_back, "request-exclusion": _request_exclusion,
    "decide-exclusion": _decide_exclusion, "re-rate": _re_rate,
}
assert set(HANDLERS) == RECT_ACTIONS and set(ACTION_LABELS) >= RECT_ACTIONS
