"""The licence library: a licence and its immutable, sealed versions.

A licence's row is the current state (for lists and lookups); every change — issue, 变更,
延续, revocation, suspension, reinstatement, re-sealing — is a new `LicenceVersion` holding
the signed data snapshot, who, when, why and on what legal basis. `expired` follows from the
dates at read time (`effective_status`); the nightly job only stores it for reporting."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from tongban.catalog.models.items import ReadableJSONEncoder
from tongban.identity.scoping import Scope, ScopedQuerySet

from ..constants import Algorithm, HolderKind, Status, VersionKind


class LicenceQuerySet(ScopedQuerySet):
    def valid_on(self, day: dt.date) -> LicenceQuerySet:
        return self.filter(status=Status.VALID, valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day))


class Licence(models.Model):
    licence_type = models.ForeignKey("catalog.LicenceType", on_delete=models.PROTECT, related_name="licences",
                                     verbose_name="证照类型")
    number = models.CharField("证照编号", max_length=60)
    issuer = models.ForeignKey("identity.Department", on_delete=models.PROTECT, related_name="licences_issued",
                               verbose_name="发证部门")
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="licences",
                               verbose_name="发证区划")
    holder_kind = models.CharField("持证主体类型", max_length=10, choices=HolderKind.choices)
    holder_id = models.CharField("持证主体标识", max_length=18, db_index=True,
                                 help_text="公民身份号码（R1）或统一社会信用代码（R2）")
    holder_name = models.CharField("持证主体名称", max_length=200)
    holder_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="licences", verbose_name="持证人账号")
    holder_enterprise = models.ForeignKey("identity.Enterprise", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="licences", verbose_name="持证企业")
    issued_on = models.DateField("发证日期")
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期止", null=True, blank=True, help_text="空表示长期有效")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.VALID, db_index=True)
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    status_reason = models.CharField("状态变更理由", max_length=500, blank=True)
    status_basis = models.CharField("状态变更依据", max_length=500, blank=True)
    verification_code = models.CharField("核验码", max_length=64, unique=True)
    source_case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="来源办件")
    source_case_number = models.CharField("来源办件编号", max_length=40, blank=True)
    current_version = models.PositiveIntegerField("当前版本号", default=0)
    data = models.JSONField("证照信息", default=dict, blank=True, encoder=ReadableJSONEncoder)
    reminded_on = models.DateField("到期提醒日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LicenceQuerySet.as_manager()
    scope = Scope(department="issuer", region="region", owner="holder_user", region_roles=frozenset())

    class Meta:
        verbose_name = "电子证照"
        verbose_name_plural = "电子证照"
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["licence_type", "issuer", "number"], name="licence_number_unique"),
            models.UniqueConstraint(fields=["source_case", "licence_type"], condition=Q(source_case__isnull=False),
                                    name="one_licence_per_case_and_type"),
        ]
        indexes = [models.Index(fields=["holder_id", "licence_type"], name="licence_holder_type")]

    def __str__(self) -> str:
        return f"{self.licence_type_id} {self.number}"

    def effective_status(self, today: dt.date | None = None) -> str:
        """Revoked and suspended stand; otherwise the dates decide (R: expired at read time)."""
        if self.status in (Status.REVOKED, Status.SUSPENDED):
            return self.status
        from django.utils import timezone

        today = today or timezone.localdate()
        if self.valid_until is not None and self.valid_until < today:
            return Status.EXPIRED
        return Status.VALID


class LicenceVersion(models.Model):
    """One immutable, sealed state of a licence."""

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    kind = models.CharField("变更类型", max_length=10, choices=VersionKind.choices)
    status = models.CharField("本版本状态", max_length=10, choices=Status.choices)
    data = models.JSONField("签章的证照数据", encoder=ReadableJSONEncoder)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name="经办人")
    actor_label = models.CharField("经办人", max_length=100, blank=True)
    reason = models.CharField("理由", max_length=500, blank=True)
    legal_basis = models.CharField("法律依据", max_length=500, blank=True)
    seal_key = models.ForeignKey("licences.SealKey", on_delete=models.PROTECT, related_name="versions",
                                 verbose_name="签章密钥")
    algorithm = models.CharField("签名算法", max_length=12, choices=Algorithm.choices)
    signed_at = models.DateTimeField("签章时间")
    seal = models.JSONField("签章信息（算法、密钥标识、签章时间，原样）", default=dict)
    signature = models.TextField("签名值（Base64）")

    class Meta:
        verbose_name = "证照版本"
        verbose_name_plural = "证照版本"
        ordering = ["licence", "number"]
        constraints = [models.UniqueConstraint(fields=["licence", "number"], name="licence_version_unique")]

    def __str__(self) -> str:
        return f"{self.licence} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("证照版本不可修改，请产生新版本")
        super().save(*args, **kwargs)
