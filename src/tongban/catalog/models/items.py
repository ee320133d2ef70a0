"""Service items (政务服务事项) and their immutable published versions.

An item is defined once, city-wide. Its standard elements live in versions: publishing
creates `ItemVersion` N+1 with its materials and questions and never edits an older one, so a
case filed under version N keeps reading version N. The item row mirrors the latest version
in columns for browsing and search, and carries the number optimistic editors base their
changes on."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from tongban.identity.scoping import Scope, ScopedQuerySet

from ..constants import Audience, DaysUnit, ItemType, Level, Media, OnlineDepth, Source


class ReadableJSONEncoder(DjangoJSONEncoder):
    """Chinese stored as itself (SQLite would otherwise keep \\u escapes), so that a substring
    filter such as `themes__icontains="社会保障"` works on both databases."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


class ServiceItem(models.Model):
    code = models.CharField("事项编码", max_length=40, unique=True)
    name = models.CharField("事项名称", max_length=200)
    type = models.CharField("事项类型", max_length=10, choices=ItemType.choices)
    department = models.ForeignKey("identity.Department", on_delete=models.PROTECT, related_name="items",
                                   verbose_name="主管部门")
    # The region that defines the standard (the city): editors reach the item through it.
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="defined_items",
                               verbose_name="标准制定区划")
    level = models.CharField("实施层级", max_length=10, choices=Level.choices)
    audience = models.CharField("服务对象", max_length=10, choices=Audience.choices)
    themes = models.JSONField("主题", default=list, encoder=ReadableJSONEncoder)
    life_stage = models.CharField("生命周期阶段", max_length=20, blank=True)
    online_depth = models.CharField("网办深度", max_length=10, choices=OnlineDepth.choices)
    full_online = models.BooleanField("全程网办", default=False)
    instant = models.BooleanField("即来即办", default=False)
    instant_approval = models.BooleanField("秒批秒办", default=False)
    cross_province = models.BooleanField("跨省通办", default=False)
    one_visit = models.BooleanField("最多跑一次", default=False)
    # Computed from the materials on every publish, never set by hand.
    tolerant = models.BooleanField("容缺受理（由材料计算）", default=False, editable=False)
    no_submission = models.BooleanField("免提交（由材料计算）", default=False, editable=False)
    legal_days = models.PositiveSmallIntegerField("法定办结时限")
    legal_days_unit = models.CharField("法定时限单位", max_length=10, choices=DaysUnit.choices,
                                       default=DaysUnit.WORKING)
    keywords = models.JSONField("关键词", default=list, encoder=ReadableJSONEncoder)
    popularity = models.PositiveIntegerField("热度", default=0)
    version = models.PositiveIntegerField("当前版本号", default=0)
    current_version = models.ForeignKey("ItemVersion", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name="当前版本")
    active = models.BooleanField("在用", default=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(department="department", region="region")

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项"
        ordering = ["code"]
        indexes = [models.Index(fields=["department", "code"]), models.Index(fields=["-popularity"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ItemVersion(models.Model):
    """One published, immutable state of an item's standard elements. `elements` holds every
    standard element except materials and questions, which are rows of their own."""

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    effective_date = models.DateField("生效日期")
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="发布人")
    summary = models.CharField("变更说明", max_length=500)
    changed = models.JSONField("变更要素", default=list)
    elements = models.JSONField("标准要素")

    class Meta:
        verbose_name = "事项版本"
        verbose_name_plural = "事项版本"
        ordering = ["item", "number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="item_version_number_unique")]
        indexes = [models.Index(fields=["-published_at"])]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("已发布的事项版本不可修改，请发布新版本")
        super().save(*args, **kwargs)


class Material(models.Model):
    """A material of one version's list (申请材料). Immutable with its version."""

    version = models.ForeignKey(ItemVersion, on_delete=models.PROTECT, related_name="materials")
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("材料名称", max_length=200)
    material_type = models.ForeignKey("MaterialType", on_delete=models.PROTECT, related_name="materials",
                                      verbose_name="材料类型")
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    licence_type = models.ForeignKey("LicenceType", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="materials", verbose_name="证照类型")
    provider = models.ForeignKey("identity.Department", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="共享提供部门")
    form = models.CharField("表单名称", max_length=200, blank=True)
    basis = models.CharField("设定依据", max_length=300, blank=True)
    original = models.BooleanField("原件", default=True)
    copies = models.PositiveSmallIntegerField("份数", default=1)
    media = models.CharField("介质", max_length=12, choices=Media.choices, default=Media.BOTH)
    audit_criteria = models.CharField("审核要点", max_length=500, blank=True)
    required = models.BooleanField("必要", default=True,
                                   help_text="否：仅在某些情形下需要（见情形引导）")
    tolerable = models.BooleanField("可容缺（R10）", default=False)
    sample = models.CharField("示范文本", max_length=200, blank=True)
    blank_form = models.CharField("空白表格", max_length=200, blank=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="material_name_unique_in_version"),
            # R10: only a required material the applicant uploads may be missing at acceptance.
            models.CheckConstraint(
                condition=models.Q(tolerable=False) | models.Q(required=True, source=Source.APPLICANT),
                name="tolerable_material_is_required_upload"),
            models.CheckConstraint(
                condition=~models.Q(source=Source.LICENCE) | models.Q(licence_type__isnull=False),
                name="licence_material_names_its_type"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def source_code(self) -> str:
        """`applicant`, `licence:<type>`, `form` or `department` (the issue's notation)."""
        return f"licence:{self.licence_type_id}" if self.source == Source.LICENCE else self.source


class Question(models.Model):
    """A scenario question (情形引导) of one version. `options` is a list of
    `{"label", "adds_materials", "removes_materials"}`; `depends_on` is `{question key: [labels]}`:
    the question is asked only once an earlier answer is one of those labels."""

    version = models.ForeignKey(ItemVersion, on_delete=models.PROTECT, related_name="questions")
    position = models.PositiveSmallIntegerField("序号")
    key = models.CharField("问题键", max_length=40)
    text = models.CharField("问题", max_length=300)
    depends_on = models.JSONField("前置条件", default=dict, blank=True)
    options = models.JSONField("选项")

    class Meta:
        verbose_name = "情形引导问题"
        verbose_name_plural = "情形引导问题"
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="question_key_unique_in_version")]

    def __str__(self) -> str:
        return self.text
