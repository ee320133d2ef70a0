"""Checks and look-ups that write nothing, shared by the actions, the API and the pages: the
level and the tags of a review (R26), the one-time token's invitation (hashed, used or
expired → 409, unknown → 404) and, alike, the token of an SMS re-rating request (R27)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone

from tongban.core.errors import Conflict, FieldError, NotFound

from .constants import InvitationKind, Level, RectState
from .models import ReasonTag, ReRatingToken, ReviewInvitation


def check_level(level: Any, field: str = "level") -> int:
    if isinstance(level, bool) or not isinstance(level, int) or level not in Level.values:
        raise FieldError(field, "评价等级应为 1 到 5：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意")
    return level


def resolve_tags(level: int, tags: Iterable[Any]) -> list[ReasonTag]:
    """Tags by code or name; each must be active and of the level (422 naming the tag)."""
    wanted = list(tags or [])
    if not wanted:
        return []
    known = {t.code: t for t in ReasonTag.objects.filter(active=True)}
    by_name = {t.name: t for t in known.values()}
    errors, found = [], []
    for i, raw in enumerate(wanted):
        tag = known.get(raw) or by_name.get(raw) if isinstance(raw, str) else None
        if tag is None:
            errors.append((f"tags.{i}", f"未知的评价标签“{raw}”"))
        elif not tag.fits(level):
            errors.append((f"tags.{i}", f"标签“{tag.name}”不适用于“{Level(level).label}”"))
        elif tag not in found:
            found.append(tag)
    if errors:
        raise FieldError(errors=errors)
    return found


def token_lifetime(kind: str) -> dt.timedelta:
    """A window kiosk's token lives minutes, an SMS link's days (both configurable)."""
    if kind == InvitationKind.KIOSK:
        return dt.timedelta(minutes=int(getattr(settings, "TONGBAN_REVIEW_KIOSK_MINUTES", 10)))
    return dt.timedelta(days=int(getattr(settings, "TONGBAN_REVIEW_LINK_DAYS", 7)))


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def invitation_for(raw: str) -> ReviewInvitation:
    """The invitation of a token: unknown → 404; used or expired → 409 (never the form)."""
    inv = (ReviewInvitation.objects.filter(token_hash=digest(raw or ""))
           .select_related("case__department", "case__item", "visit__department", "reviewer").first())
    if inv is None:
        raise NotFound("评价链接无效")
    if inv.used_at is not None:
        raise Conflict("该评价链接已使用，每次服务只能评价一次")
    if inv.expires_at <= timezone.now():
        raise Conflict("该评价链接已过期")
    return inv


def rerating_token_for(raw: str) -> ReRatingToken:
    """The re-rating request of a token (R27): unknown → 404; used, expired or withdrawn, or the
    rectification no longer waiting for the answer → 409 (never the form)."""
    token = (ReRatingToken.objects.filter(token_hash=digest(raw or ""))
             .select_related("rectification__review__case", "rectification__review__ticket",
                             "rectification__department").first())
    if token is None:
        raise NotFound("回访评价链接无效")
    rect = token.rectification
    if token.used_at is not None or rect.state == RectState.RERATED:
        raise Conflict("您已经再次评价过，每次整改只再评价一次")
    if rect.state == RectState.EXCLUDED:
        raise Conflict("该评价已按规定剔除，无需再次评价")
    if rect.state != RectState.CLOSED or token.expires_at <= timezone.now():
        raise Conflict("该回访评价链接已过期或已撤回（整改被退回重办的，办结后会再次询问您）")
    return token
