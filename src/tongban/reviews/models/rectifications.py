"""差评整改 (R27): a bad review opens one rectification for the department that served, with
two working-day clocks — verify and contact within 1, rectify or explain within 15."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tongban.identity.constants import Role
from tongban.identity.scoping import Scope, ScopedQuerySet

from ..constants import Channel, ExclusionState, Finding, Level, OutcomeKind, RectState
from .reviews import OneTimeToken, Review


class Rectification(models.Model):
    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey("identity.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name="整改部门")
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="+", verbose_name="区划")
    state = models.CharField("状态", max_length=10, choices=RectState.choices, default=RectState.OPEN,
                             db_index=True)
    opened_on = models.DateField("生成日期")
    verify_due = models.DateField("核实联系期限（1个工作日）")
    rectify_due = models.DateField("整改期限（15个工作日）")
    finding = models.CharField("核实结论", max_length=8, choices=Finding.choices, blank=True)
    evidence = models.TextField("核实依据", blank=True)
    verified_on = models.DateField("核实日期", null=True, blank=True)
    contacted_on = models.DateField("联系日期", null=True, blank=True)
    outcome_kind = models.CharField("办理方式", max_length=10, choices=OutcomeKind.choices, blank=True)
    outcome = models.TextField("整改或解释结果", blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    # R27 "the reviewer asked again": asked when the rectification closes (a request on the
    # reviewer's portal page, an SMS link for those without one), answered once by the reviewer
    re_asked_at = models.DateTimeField("再次询问时间", null=True, blank=True)
    re_level = models.PositiveSmallIntegerField("回访再评价", choices=Level.choices, null=True, blank=True)
    re_rated_at = models.DateTimeField("回访时间", null=True, blank=True)
    re_channel = models.CharField("回访再评价渠道", max_length=10, choices=Channel.choices, blank=True)
    exclusion = models.CharField("剔除", max_length=10, choices=ExclusionState.choices, blank=True)
    exclusion_reason = models.TextField("剔除申请理由", blank=True)
    exclusion_decision_reason = models.TextField("剔除审核意见", blank=True)
    sent_back = models.PositiveSmallIntegerField("退回次数", default=0)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # the statistics cache reads the newest

    objects = ScopedQuerySet.as_manager()
    scope = Scope(department="department", region="region", owner="review__reviewer",
                  region_roles=frozenset({Role.SUPERVISOR}))

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        ordering = ["rectify_due", "pk"]
        indexes = [models.Index(fields=["department", "state", "rectify_due"])]

    def __str__(self) -> str:
        return f"整改单 {self.pk}"


class RectificationStep(models.Model):
    """Every step, contact attempts (failed ones too) included: the history is never rewritten."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_label = models.CharField("办理人", max_length=100, blank=True)
    action = models.CharField("环节", max_length=20)
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "整改环节"
        verbose_name_plural = "整改环节"
        ordering = ["rectification", "at", "pk"]


class ReRatingToken(OneTimeToken):
    """The one-time link of an SMS re-rating request (R27): bound to one rectification, only the
    SHA-256 of the token stored, expiring after the review link's days; withdrawn (expired at
    once) when a supervisor sends the rectification back."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="rerating_tokens")
    phone_masked = models.CharField("发送号码（脱敏）", max_length=20, blank=True)

    class Meta:
        verbose_name = "回访再评价链接"
        verbose_name_plural = "回访再评价链接"
