"""Reminders sent about a case: once per case, recipient and kind (tongban.cases.reminders)."""

from django.conf import settings
from django.db import models


class CaseReminder(models.Model):
    class Kind(models.TextChoices):
        WARNED = "warned", "即将到期提醒（承办人）"
        OVERDUE = "overdue", "超期督办提醒（监督人员）"
        CORRECTION = "correction", "补正提醒（申请人）"
        PROMISE = "promise", "容缺承诺到期提醒（申请人）"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("提醒类型", max_length=12, choices=Kind.choices)
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "办件提醒"
        verbose_name_plural = "办件提醒"
        constraints = [models.UniqueConstraint(fields=["case", "user", "kind"], name="case_reminder_once")]
