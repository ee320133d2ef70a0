"""Shared vocabularies every item refers to: licence types, material types, form fields."""

from __future__ import annotations

from django.db import models

from ..constants import HolderType


class LicenceType(models.Model):
    """An electronic licence type (证照类型), e.g. ZZ-SFZ 居民身份证. The licence library holds
    licences of these types; a material whose source is a licence type is fetched, never
    uploaded (RULES R12)."""

    code = models.CharField("证照类型编码", max_length=20, primary_key=True)
    name = models.CharField("名称", max_length=100)
    issuer = models.ForeignKey("identity.Department", on_delete=models.PROTECT, related_name="licence_types",
                               verbose_name="签发部门")
    holder_type = models.CharField("持证主体", max_length=10, choices=HolderType.choices)
    validity_years = models.PositiveSmallIntegerField("有效期（年）", null=True, blank=True,
                                                      help_text="空表示长期有效（除非另有有效天数）")
    validity_days = models.PositiveIntegerField("有效期（天）", null=True, blank=True)
    validity_note = models.CharField("有效期说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "证照类型"
        verbose_name_plural = "证照类型"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class MaterialType(models.Model):
    """A kind of document recognised across items (居民身份证, 营业执照, 公司章程 …), so that
    one document is asked for once in a bundle and reused across cases. A licence-backed
    type points at its licence type."""

    code = models.CharField("材料类型编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=120, unique=True)
    licence_type = models.OneToOneField(LicenceType, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="material_type", verbose_name="对应证照类型")

    class Meta:
        verbose_name = "材料类型"
        verbose_name_plural = "材料类型"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class FormField(models.Model):
    """One entry of the form-field dictionary (`enterprise.name`, `premises.area_m2` …). Items
    and bundles name fields by key; the cases app renders one form from their JSON Schema
    fragments, asking a shared field once."""

    key = models.CharField("字段键", max_length=60, primary_key=True)
    label = models.CharField("字段名称", max_length=60)
    schema = models.JSONField("JSON Schema 片段", default=dict)
    aliases = models.JSONField("别名", default=list, blank=True,
                               help_text="其他事项或一件事使用的同义字段名称")

    class Meta:
        verbose_name = "表单字段"
        verbose_name_plural = "表单字段字典"
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.label}（{self.key}）"


class LicenceHoldingQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(revoked=False, valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day))


class LicenceHolding(models.Model):
    """A licence the platform knows a holder has — the register behind the minimal
    `LicenceProvider` (catalog/licensing.py) until the licence library replaces it."""

    licence_type = models.ForeignKey(LicenceType, on_delete=models.PROTECT, related_name="holdings",
                                     verbose_name="证照类型")
    number = models.CharField("证照编号", max_length=60)
    holder = models.CharField("持证主体标识", max_length=18, db_index=True,
                              help_text="公民身份号码或统一社会信用代码")
    holder_name = models.CharField("持证主体名称", max_length=200)
    issuer = models.ForeignKey("identity.Department", on_delete=models.PROTECT, related_name="+",
                               verbose_name="签发部门")
    valid_from = models.DateField("有效期起")
    valid_to = models.DateField("有效期止", null=True, blank=True)
    revoked = models.BooleanField("已注销或吊销", default=False)

    objects = LicenceHoldingQuerySet.as_manager()

    class Meta:
        verbose_name = "持证记录"
        verbose_name_plural = "持证记录"
        constraints = [models.UniqueConstraint(fields=["licence_type", "number"], name="holding_number_unique")]

    def __str__(self) -> str:
        return f"{self.licence_type_id} {self.number}"
