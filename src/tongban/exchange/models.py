"""Data sharing between departments (PRODUCT H): the resource catalogue, the registered
department clients (OAuth 2.0 client-credentials applications of the platform's provider) and
the grants a department holds on a conditional resource."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Condition(models.TextChoices):
    UNCONDITIONAL = "unconditional", "无条件共享"
    CONDITIONAL = "conditional", "有条件共享"
    NOT_SHARED = "not_shared", "不予共享"


class SubjectKind(models.TextChoices):
    PERSON = "person", "自然人"
    ENTERPRISE = "enterprise", "法人"


class DataResource(models.Model):
    code = models.SlugField("资源编码", max_length=40, unique=True)
    name = models.CharField("资源名称", max_length=100)
    provider = models.ForeignKey("identity.Department", on_delete=models.PROTECT, related_name="data_resources",
                                 verbose_name="提供部门")
    description = models.CharField("说明", max_length=300, blank=True)
    fields = models.JSONField("字段", default=list, help_text='[{"name", "label", "personal": bool}]')
    update_cycle = models.CharField("更新周期", max_length=20, default="实时")
    condition = models.CharField("共享条件", max_length=14, choices=Condition.choices)
    legal_basis = models.CharField("共享依据", max_length=300, blank=True)
    subject_kind = models.CharField("数据主体", max_length=10, choices=SubjectKind.choices)
    source = models.CharField("数据来源", max_length=40, help_text="tongban.exchange.sources 的键")

    class Meta:
        verbose_name = "共享数据资源"
        verbose_name_plural = "共享数据资源"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def scope(self) -> str:
        return f"exchange:{self.code}"

    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]


class ExchangeClient(models.Model):
    """A department system registered to read shared data with client credentials."""

    # the provider's Application by its client_id (its model is swappable through a setting the
    # project does not define, so no foreign key: the autodetector could not resolve it)
    client_id = models.CharField("OAuth 客户端标识", max_length=100, unique=True)
    department = models.ForeignKey("identity.Department", on_delete=models.PROTECT, related_name="exchange_clients",
                                   verbose_name="所属部门")
    name = models.CharField("系统名称", max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "共享数据客户端"
        verbose_name_plural = "共享数据客户端"

    def __str__(self) -> str:
        return self.name


class Grant(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", "待审核"
        APPROVED = "approved", "已同意"
        REFUSED = "refused", "已拒绝"

    resource = models.ForeignKey(DataResource, on_delete=models.PROTECT, related_name="grants",
                                 verbose_name="数据资源")
    department = models.ForeignKey("identity.Department", on_delete=models.PROTECT, related_name="exchange_grants",
                                   verbose_name="申请部门")
    purpose = models.CharField("用途", max_length=300)
    fields = models.JSONField("申请字段", default=list)
    basis = models.CharField("依据", max_length=300)
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期止")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="申请人")
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="审核人")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_reason = models.CharField("审核意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "共享申请"
        verbose_name_plural = "共享申请"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.department_id} → {self.resource_id}"
