"""The material vault (R12: submit once) and objections to a data use (the data-use tracker)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q


class VaultEntry(models.Model):
    """A material an officer confirmed on an approved case, kept for its holder (a person or an
    enterprise) with its catalogue material type, file hash, source case, confirmer and
    validity. Deleting it is soft: the cases that used it keep what they used."""

    holder_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="vault_entries", verbose_name="持有人")
    holder_enterprise = models.ForeignKey("identity.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="vault_entries", verbose_name="持有企业")
    material_type = models.ForeignKey("catalog.MaterialType", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="材料类型")
    name = models.CharField("材料名称", max_length=200)
    case_file = models.ForeignKey("cases.CaseFile", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name="办件材料文件")
    storage_name = models.CharField("存储名称", max_length=255, blank=True, help_text="空：纸质材料，无电子文件")
    content_type = models.CharField("媒体类型", max_length=60, blank=True)
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    source_case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+",
                                    verbose_name="来源办件")
    source_material = models.OneToOneField("cases.CaseMaterial", on_delete=models.PROTECT, related_name="+",
                                           verbose_name="来源材料")
    confirmer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="确认人")
    confirmed_at = models.DateTimeField("确认时间")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "材料库条目"
        verbose_name_plural = "材料库条目"
        ordering = ["-confirmed_at", "-id"]
        indexes = [models.Index(fields=["holder_user", "material_type"], name="vault_user_type"),
                   models.Index(fields=["holder_enterprise", "material_type"], name="vault_enterprise_type")]
        constraints = [models.CheckConstraint(
            condition=Q(holder_user__isnull=False) | Q(holder_enterprise__isnull=False), name="vault_has_holder")]

    def __str__(self) -> str:
        return self.name

    def valid_on(self, day: dt.date) -> bool:
        return self.deleted_at is None and (self.valid_until is None or self.valid_until >= day)


class Objection(models.Model):
    """The subject's objection to one data use (an audit read record): it goes to the
    supervision queue and is answered upheld or dismissed, with reasons, by the due date."""

    class State(models.TextChoices):
        OPEN = "open", "待处理"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    data_use = models.ForeignKey("core.AuditRecord", on_delete=models.PROTECT, related_name="+",
                                 verbose_name="数据使用记录")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="objections",
                                verbose_name="提出人")
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name="受理区划")
    reason = models.TextField("异议理由", max_length=1000)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    filed_at = models.DateTimeField("提出时间")
    due = models.DateField("答复期限")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="处理人")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_reason = models.TextField("处理理由", max_length=1000, blank=True)

    class Meta:
        verbose_name = "数据使用异议"
        verbose_name_plural = "数据使用异议"
        ordering = ["due", "id"]
        constraints = [models.UniqueConstraint(fields=["data_use", "subject"], name="one_objection_per_use")]

    def __str__(self) -> str:
        return f"异议 {self.pk}"
