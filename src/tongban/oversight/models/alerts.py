"""效能监察 alerts: a finding of the scan about one object, one open per object and kind;
open → acknowledged → resolved or dismissed (with a reason). Resolved by the scan itself when
its condition ends."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tongban.identity.constants import Role
from tongban.identity.scoping import Scope, ScopedQuerySet


class Alert(models.Model):
    class Kind(models.TextChoices):
        WARNED = "warned", "即将超期（R8）"
        OVERDUE = "overdue", "已超期（R8）"
        STALLED = "stalled", "环节停滞"
        TOO_FAST = "too_fast", "办结过快"
        UNREAD = "unread", "未阅材料即办结"
        CORRECTIONS = "corrections", "反复补正（R9）"

    class Severity(models.TextChoices):
        INFO = "info", "提示"
        WARNING = "warning", "预警"
        CRITICAL = "critical", "严重"

    class State(models.TextChoices):
        OPEN = "open", "待处理"
        ACKNOWLEDGED = "acknowledged", "已确认"
        RESOLVED = "resolved", "已解决"
        DISMISSED = "dismissed", "已排除"

    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    severity = models.CharField("严重程度", max_length=8, choices=Severity.choices)
    # the object: a case for now (a hotline ticket joins as a second nullable key when it lands)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="alerts", verbose_name="办件")
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("identity.Department", on_delete=models.PROTECT, related_name="+")
    evidence = models.JSONField("证据", default=dict)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.OPEN, db_index=True)
    reason = models.TextField("处理说明", blank=True)
    opened_at = models.DateTimeField("发现时间")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope = Scope(department="department", region="region", region_roles=frozenset({Role.SUPERVISOR}))

    class Meta:
        verbose_name = "监察预警"
        verbose_name_plural = "监察预警"
        ordering = ["-opened_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "case"], condition=Q(state__in=["open", "acknowledged"]),
                                               name="alert_one_open_per_object_and_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_id}"
