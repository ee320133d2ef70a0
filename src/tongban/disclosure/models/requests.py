"""Disclosure requests (依申请公开, R14–R19) and the events of their legal clock."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tongban.identity.scoping import Scope, ScopedQuerySet

from ..constants import Delivery, ReplyType, RequesterType, State


class DisclosureRequest(models.Model):
    number = models.CharField("登记编号", max_length=30, unique=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="disclosure_requests"
    )
    requester_type = models.CharField("申请人类型", max_length=20, choices=RequesterType.choices)
    requester_name = models.CharField("申请人名称", max_length=120)
    id_number = models.CharField("公民身份号码", max_length=18, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    content = models.TextField("所需信息", max_length=4000)
    purpose = models.CharField("用途", max_length=500, blank=True)
    delivery = models.CharField("获取方式", max_length=10, choices=Delivery.choices)
    pages = models.PositiveIntegerField("预计页数", default=0)
    department = models.ForeignKey("identity.Department", on_delete=models.PROTECT, related_name="disclosure_requests")
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PROCESSING, db_index=True)
    submitted_at = models.DateTimeField("提交时间")
    received_on = models.DateField("收到申请之日")
    deadline = models.DateField("答复期限", null=True, blank=True)
    correction_used = models.BooleanField("已告知补正", default=False)
    correction_due = models.DateField("补正期限", null=True, blank=True)
    correction_text = models.TextField("补正要求", blank=True)
    extension_days = models.PositiveSmallIntegerField("延长工作日", default=0)
    fee_amount = models.DecimalField("信息处理费（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    fee_due = models.DateField("缴费期限", null=True, blank=True)
    third_party = models.CharField("第三方", max_length=200, blank=True)
    reply_type = models.CharField("答复类型", max_length=20, choices=ReplyType.choices, blank=True)
    reply_reason = models.CharField("理由类别", max_length=30, blank=True)
    reply_text = models.TextField("答复内容", blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True)
    reply_pdf = models.BinaryField("答复书 PDF", null=True, blank=True, editable=False)
    manifest = models.JSONField("归档清单", default=dict, blank=True)
    lock_version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(department="department", region="region", owner="requester", region_roles=frozenset({"supervisor"}))

    class Meta:
        verbose_name = "政府信息公开申请"
        verbose_name_plural = verbose_name
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["department", "state"]), models.Index(fields=["requester", "submitted_at"])]

    def __str__(self) -> str:
        return self.number


class RequestEvent(models.Model):
    """One step of the file: what happened, by whom, and what it did to the clock
    (start / pause / resume / restart / stop)."""

    request = models.ForeignKey(DisclosureRequest, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=30)
    clock = models.CharField("时钟", max_length=10, blank=True)
    on = models.DateField("日期")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class RequestNumberCounter(models.Model):
    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)
