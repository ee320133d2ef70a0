"""Fixed vocabularies of the hotline (RULES R24, R25)."""

from django.db import models


class Category(models.TextChoices):
    """R24: the value is the Chinese label itself (INTERFACES.md answers with it)."""

    CONSULT = "咨询", "咨询"
    HELP = "求助", "求助"
    COMPLAINT = "投诉", "投诉"
    REPORT = "举报", "举报"
    SUGGESTION = "建议", "建议"
    PRAISE = "表扬", "表扬"


class Channel(models.TextChoices):
    PHONE = "phone", "电话"
    WEB = "web", "网站"
    MOBILE = "mobile", "移动端"
    MESSAGE = "message", "短信/微信"
    OPEN311 = "open311", "Open311"


class Status(models.TextChoices):
    NEW = "new", "待派单"
    DISPATCHED = "dispatched", "已派单"
    SIGNED = "signed", "已签收"
    RETURNED = "returned", "已退回"
    REPLIED = "replied", "已答复待审核"
    CLOSED = "closed", "已办结"


OPEN_STATUSES = (Status.NEW, Status.DISPATCHED, Status.SIGNED, Status.RETURNED, Status.REPLIED)


class ResultType(models.TextChoices):
    RESOLVED = "resolved", "已解决"
    PARTIAL = "partial", "部分解决"
    UNRESOLVED = "unresolved", "未解决并说明原因"
    UNFOUNDED = "unfounded", "不属实"


# R24 default limits (configurable: TONGBAN_HOTLINE_LIMITS overrides, with its own version)
DEFAULT_POLICY = {
    "version": "R24-2020",
    "working_days": {"咨询": 1, "求助": 5, "投诉": 5, "举报": 5, "建议": 15, "表扬": 5},
    "urgent_dispatch_hours": 2,
    "urgent_handle_hours": 24,
    "return_working_days": 1,
}

MAX_TEXT = 4000
# Dalian's bounding box (longitude, latitude): the mainland, the islands of 长海县 included
DALIAN_BOX = {"min_lat": 38.6, "max_lat": 40.2, "min_lon": 120.9, "max_lon": 123.4}


# --- urging (督办), one mechanism for tickets and, through oversight, cases --------------------------

class UrgingLevel(models.TextChoices):
    """催办 → 督办 (to the department head) → 通报 (listed in the supervision report)."""

    REMIND = "催办", "催办"
    SUPERVISE = "督办", "督办（部门负责人）"
    NOTIFY = "通报", "通报（列入督查通报）"


URGING_NEXT = {UrgingLevel.REMIND: UrgingLevel.SUPERVISE, UrgingLevel.SUPERVISE: UrgingLevel.NOTIFY}
HEAD_LEVELS = (UrgingLevel.SUPERVISE, UrgingLevel.NOTIFY)  # answered by the department head


class UrgingState(models.TextChoices):
    OPEN = "open", "待回复"
    REPLIED = "replied", "已回复"
    OVERDUE = "overdue", "逾期未回复"


class UrgingTrigger(models.TextChoices):
    MANUAL = "manual", "人工督办"
    WARNING = "warning", "临近时限自动催办"
    OVERDUE = "overdue", "超过时限自动督办"
    ESCALATION = "escalation", "逾期未回复升级"
    AUTOMATIC = "automatic", "其他应用自动督办"  # urge(automatic=True): one open per object and level


# working days the department has to answer each level (TONGBAN_HOTLINE_URGING_REPLY_DAYS overrides)
URGING_REPLY_DAYS = {"催办": 2, "督办": 1, "通报": 1}
MAX_URGING_TEXT = 2000
