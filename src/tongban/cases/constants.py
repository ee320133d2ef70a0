"""The vocabularies of a case: status, channel, provision of a material, actions."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    SUBMITTED = "submitted", "待受理"
    CORRECTION = "correction", "待补正"
    ACCEPTED = "accepted", "已受理（审查中）"
    APPROVED = "approved", "准予许可"
    DENIED = "denied", "不予许可"
    REJECTED = "rejected", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"
    SUSPENDED = "suspended", "中止"
    TERMINATED = "terminated", "终止"
    IN_PROGRESS = "in_progress", "办理中（一件事）"
    COMPLETED = "completed", "已办结（一件事）"


# States a case never leaves.
CLOSED = frozenset({Status.APPROVED, Status.DENIED, Status.REJECTED, Status.WITHDRAWN, Status.TERMINATED,
                    Status.COMPLETED})
# States whose legal clock is (or may be) counting: the officer queue's "open" work.
OPEN = frozenset({Status.SUBMITTED, Status.CORRECTION, Status.ACCEPTED, Status.SUSPENDED, Status.IN_PROGRESS})


class Channel(models.TextChoices):
    ONLINE = "online", "网上申请"
    WINDOW = "window", "窗口申请"


class Provision(models.TextChoices):
    """How a material reached the case (R12 asks for the first three to be counted)."""

    UPLOADED = "uploaded", "申请人提交"
    REUSED = "reused", "材料库复用"
    FETCHED = "fetched", "平台调取"
    MISSING = "missing", "未提交"
    PROMISED = "promised", "容缺承诺后补"


class NoticeKind(models.TextChoices):
    RECEIPT = "receipt", "申请回执"
    ACCEPTANCE = "acceptance", "受理通知书"
    CORRECTION = "correction", "补正材料通知书"
    REJECTION = "rejection", "不予受理决定书"
    APPROVAL = "approval", "准予许可决定书"
    DENIAL = "denial", "不予许可决定书"
    WITHDRAWAL = "withdrawal", "撤回申请确认"
    SUSPENSION = "suspension", "中止办理告知书"


class PromiseOutcome(models.TextChoices):
    """What a broken tolerant-acceptance promise leads to (R10): never silently on."""

    SUSPENDED = "suspended", "中止"
    TERMINATED = "terminated", "终止"


ACTION_LABELS = {
    "submit": "提交申请",
    "accept": "受理",
    "request-correction": "一次性告知补正",
    "submit-correction": "提交补正材料",
    "reject": "不予受理",
    "approve": "准予许可",
    "deny": "不予许可",
    "review": "并联审查意见",
    "withdraw": "撤回申请",
    "claim": "认领",
    "assign": "分派",
    "supply-promised": "补交容缺材料",
    "promise-broken": "容缺承诺逾期",
    "send-promise-code": "获取容缺承诺签署验证码",
    "sign-promise": "短信签署容缺承诺",
    "consent": "同意调取电子证照",
    "withdraw-consent": "撤回调取同意",
}
OFFICER_ACTIONS = frozenset({"accept", "request-correction", "reject", "approve", "deny", "claim", "assign",
                             "review"})
APPLICANT_ACTIONS = frozenset({"submit-correction", "withdraw", "supply-promised", "send-promise-code",
                               "sign-promise"})
