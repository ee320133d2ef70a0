"""Reads of reviews and rectifications, always scoped: reviewers their own, staff of the
department that served (in its region and below), supervisors their region's. Anything else is
NotFound. The rectification clocks (R27 measured like R8) are recomputed on every read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case as When_
from django.db.models import IntegerField, QuerySet, Value, When
from django.utils import timezone

from tongban.core import audit
from tongban.core.clock import Clock, ClockEvent, ClockState, Unit
from tongban.core.errors import NotFound
from tongban.identity.scoping import grants_of, scope_filter

from .constants import ACTION_LABELS, RECTIFY_DAYS, VERIFY_DAYS, Channel, Finding, Level, OutcomeKind, RectState
from .models import ReasonTag, Rectification, Review

STATE_WORDS = {ClockState.RUNNING.value: "计时中", ClockState.WARNED.value: "即将到期",
               ClockState.OVERDUE.value: "已超期", ClockState.DONE.value: "已完成", ClockState.PAUSED.value: "暂停"}


@audit.scoped_lookup("可见评价的查询集：行由 review_row 展示，评价人手机号已遮蔽")
def visible_reviews(user: Any) -> QuerySet[Review]:
    condition = scope_filter(Review, user, owner=not grants_of(user))
    return Review.objects.all() if condition is None else Review.objects.filter(condition)


@audit.scoped_lookup("可见整改的查询集")
def visible_rectifications(user: Any) -> QuerySet[Rectification]:
    condition = scope_filter(Rectification, user, owner=not grants_of(user))
    return Rectification.objects.all() if condition is None else Rectification.objects.filter(condition)


@audit.scoped_lookup("按编号取可见评价")
def get_review(user: Any, review_id: int) -> Review:
    review = (visible_reviews(user).select_related("case", "ticket", "department", "region", "visit",
                                                   "rectification")
              .prefetch_related("tags").filter(pk=review_id).first())
    if review is None:
        raise NotFound("未找到该评价")
    return review


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


@audit.scoped_lookup("评价行：评价人手机号已遮蔽")
def review_row(review: Review) -> dict[str, Any]:
    rect = getattr(review, "rectification", None) if hasattr(review, "rectification") else None
    return {
        "id": review.pk,
        "case": review.case.number if review.case_id else None,
        "ticket": review.ticket.number if review.ticket_id else None,
        "visit": review.visit_id,
        "level": review.level,
        "level_words": Level(review.level).label,
        "tags": [{"code": t.code, "name": t.name} for t in review.tags.all()],
        "comment": review.comment,
        "channel": review.channel,
        "reviewer_phone": review.reviewer_phone_masked or None,
        "department": {"id": review.department_id, "name": review.department.name},
        "region": review.region_id,
        "created_at": _iso(review.created_at),
        "append": {"comment": review.appended, "at": _iso(review.appended_at)} if review.appended_at else None,
        "excluded": review.excluded,
        "rectification": rect.pk if rect else None,
        "re_level": rect.re_level if rect else None,
        "re_level_words": Level(rect.re_level).label if rect and rect.re_level else None,
        # R27: the rectification closed, the reviewer is asked again (answered once, here or by the SMS link)
        "re_rating_requested": bool(rect and rect.state == RectState.CLOSED and rect.re_asked_at),
        "outcome_words": OutcomeKind(rect.outcome_kind).label if rect and rect.outcome_kind else None,
        "outcome": rect.outcome if rect and rect.outcome_kind else None,
    }


@audit.scoped_lookup("可见评价列表")
def list_reviews(user: Any) -> QuerySet[Review]:
    return (visible_reviews(user).select_related("case", "ticket", "department", "rectification")
            .prefetch_related("tags").order_by("-created_at", "-pk"))


@audit.no_personal_data("评价标签表")
def tag_table() -> list[dict[str, Any]]:
    tags = list(ReasonTag.objects.filter(active=True))
    return [{"level": int(v), "words": str(label),
             "tags": [{"code": t.code, "name": t.name} for t in tags if t.fits(int(v))]}
            for v, label in Level.choices]


# --- rectifications ---------------------------------------------------------------------------------

def _clock(limit: int, start: dt.date, done: dt.date | None, today: dt.date) -> dict[str, Any]:
    events = [ClockEvent("start", start)] + ([ClockEvent("stop", done)] if done else [])
    reading = Clock(limit=limit, unit=Unit.WORKING, events=events).read(today)
    return {"limit": limit, "days_used": reading.days_used, "state": reading.state.value,
            "words": STATE_WORDS[reading.state.value], "done_on": _iso(done)}


@audit.no_personal_data("整改时限")
def clocks(rect: Rectification, today: dt.date | None = None) -> dict[str, dict[str, Any]]:
    """Two working-day clocks from the day the review came (R27), warned and overdue as R8."""
    today = today or timezone.localdate()
    first = None
    if rect.verified_on and rect.contacted_on:
        first = max(rect.verified_on, rect.contacted_on)
    second = rect.closed_on if rect.state in (RectState.CLOSED, RectState.RERATED) else None
    if rect.state == RectState.EXCLUDED:
        first, second = first or today, today
    verify = {**_clock(VERIFY_DAYS, rect.opened_on, first, today), "deadline": _iso(rect.verify_due)}
    rectify = {**_clock(RECTIFY_DAYS, rect.opened_on, second, today), "deadline": _iso(rect.rectify_due)}
    return {"verify": verify, "rectify": rectify}


@audit.scoped_lookup("整改行")
def rectification_row(rect: Rectification, today: dt.date | None = None, *, steps: bool = False) -> dict[str, Any]:
    review = rect.review
    out = {
        "id": rect.pk,
        "review": review.pk,
        "case": review.case.number if review.case_id else None,
        "ticket": review.ticket.number if review.ticket_id else None,
        "level": review.level,
        "level_words": Level(review.level).label,
        "comment": review.comment,
        "department": {"id": rect.department_id, "name": rect.department.name},
        "region": rect.region_id,
        "state": rect.state,
        "state_words": RectState(rect.state).label,
        "opened_on": _iso(rect.opened_on),
        "clocks": clocks(rect, today),
        "finding": rect.finding or None,
        "finding_words": Finding(rect.finding).label if rect.finding else None,
        "outcome_kind": rect.outcome_kind or None,
        "outcome_words": OutcomeKind(rect.outcome_kind).label if rect.outcome_kind else None,
        "outcome": rect.outcome,
        "re_level": rect.re_level,
        "re_level_words": Level(rect.re_level).label if rect.re_level else None,
        "re_asked_at": _iso(rect.re_asked_at),
        "re_channel": rect.re_channel or None,
        "re_channel_words": Channel(rect.re_channel).label if rect.re_channel else None,
        "exclusion": rect.exclusion or None,
        "sent_back": rect.sent_back,
    }
    # R27 100 % follow-up: a bad review whose 1-working-day clock ran out with no contact recorded
    out["flagged"] = rect.contacted_on is None and out["clocks"]["verify"]["state"] == "overdue"
    if steps:
        out["steps"] = [{"at": _iso(s.at), "action": s.action, "action_words": ACTION_LABELS.get(s.action, s.action),
                         "actor": s.actor_label, "note": s.note, "data": s.data} for s in rect.steps.all()]
    return out


@audit.scoped_lookup("整改待办")
def rectification_queue(user: Any, *, state: str = "open") -> list[Rectification]:
    """The department's (heads) or the region's (supervisors) rectifications: overdue first, then
    by the nearer deadline."""
    rows = visible_rectifications(user).select_related("review__case", "review__ticket", "department", "region")
    if state == "open":
        rows = rows.filter(state__in=[RectState.OPEN, RectState.CLOSED])
    elif state:
        rows = rows.filter(state=state)
    today = timezone.localdate()
    rows = rows.annotate(_late=When_(
        When(state=RectState.OPEN, rectify_due__lt=today, then=Value(0)),
        When(state=RectState.OPEN, verified_on__isnull=True, verify_due__lt=today, then=Value(0)),
        default=Value(1), output_field=IntegerField()))
    return list(rows.order_by("_late", "verify_due", "rectify_due", "pk")[:500])


@audit.scoped_lookup("按编号取可见整改")
def get_rectification(user: Any, rect_id: int) -> Rectification:
    rect = (visible_rectifications(user).select_related("review__case", "review__ticket", "department", "region")
            .prefetch_related("steps").filter(pk=rect_id).first())
    if rect is None:
        raise NotFound("未找到该整改单")
    return rect


@audit.own_data("评价人本人待再次评价的整改数（R27）")
def re_ratings_awaited(user: Any) -> int:
    return visible_rectifications(user).filter(review__reviewer=user, state=RectState.CLOSED,
                                               re_asked_at__isnull=False).count()
