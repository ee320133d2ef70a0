"""Checks and look-ups that write nothing, shared by the actions, the API and the pages: the
level and the tags of a review (R26), and the one-time token's invitation (hashed, used or
expired → 409, unknown → 404)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from tongban.core.errors import Conflict, FieldError, NotFound

from .constants import Level
from .models import ReasonTag, ReviewInvitation


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
