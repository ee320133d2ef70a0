"""The vocabularies of reviews (R26, R27): levels in words, channels, rectification states."""

from __future__ import annotations

from django.db import models


class Level(models.IntegerChoices):
    """One fixed mapping, shown in words everywhere (R26)."""

    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASICALLY_SATISFIED = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


LEVEL_WORDS = {int(v): str(label) for v, label in Level.choices}
BAD_LEVELS = frozenset({1, 2})  # R26: the last two are bad reviews


def level_words(level: int | None) -> str:
    return LEVEL_WORDS.get(int(level), "") if level is not None else ""


class Channel(models.TextChoices):
    PORTAL = "portal", "网站"
    MOBILE = "mobile", "移动端"
    KIOSK = "kiosk", "窗口评价器"
    SMS = "sms", "短信"
    WINDOW = "window", "窗口"
    PHONE = "hotline", "12345 回访"


class InvitationKind(models.TextChoices):
    SMS = "sms", "短信链接"
    KIOSK = "kiosk", "窗口评价器"


class Finding(models.TextChoices):
    TRUE = "true", "属实"
    PARTLY = "partly", "部分属实"
    UNTRUE = "untrue", "不属实"


class RectState(models.TextChoices):
    OPEN = "open", "待整改"
    CLOSED = "closed", "已整改（待回访）"
    RERATED = "rerated", "已回访"
    EXCLUDED = "excluded", "已剔除"


class OutcomeKind(models.TextChoices):
    RECTIFIED = "rectified", "已整改"
    EXPLAINED = "explained", "已解释说明"


class ExclusionState(models.TextChoices):
    NONE = "", "—"
    REQUESTED = "requested", "申请剔除"
    EXCLUDED = "excluded", "已剔除"
    KEPT = "kept", "不予剔除"


DEPARTMENT_ACTIONS = frozenset({"verify", "contact", "contact-failed", "rectify", "explain", "request-exclusion"})
SUPERVISOR_ACTIONS = frozenset({"send-back", "decide-exclusion"})
REVIEWER_ACTIONS = frozenset({"re-rate"})
RECT_ACTIONS = DEPARTMENT_ACTIONS | SUPERVISOR_ACTIONS | REVIEWER_ACTIONS
ACTION_LABELS = {
    "open": "差评生成整改单",
    "verify": "核实",
    "contact": "联系评价人",
    "contact-failed": "联系未成功",
    "rectify": "整改",
    "explain": "解释说明",
    "send-back": "退回重办",
    "request-exclusion": "申请剔除",
    "decide-exclusion": "剔除审核",
    "re-rate": "回访再评价",
    "ask-again": "再次询问评价人",
}

CLOSING_ACTIONS = frozenset({"rectify", "explain"})
# R27 asked again: every identified reviewer on their portal page; a review given anonymously or
# away from the portal (SMS link, window kiosk, 12345 callback) also by an SMS with a one-time link
SMS_ASKED_CHANNELS = frozenset({Channel.SMS, Channel.KIOSK, Channel.PHONE, Channel.WINDOW})
# the reviewer's own answer; the department that was rated never records it for them
RE_RATING_CHANNELS = frozenset({Channel.PORTAL, Channel.MOBILE, Channel.SMS})

VERIFY_DAYS = 1  # R27: verified and the reviewer contacted within 1 working day
RECTIFY_DAYS = 15  # R27: rectified or explained within 15 working days
MAX_TEXT = 2000

# The national list of reason tags is seeded by migration 0002 (editable model ReasonTag).
# tags that say the matter itself went wrong (the supervisor may order it re-examined)
MATTER_TAGS = frozenset({"not-done", "extra-materials", "overdue"})
