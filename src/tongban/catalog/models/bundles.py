"""一件事: a life event or business scenario joining items of several departments."""

from __future__ import annotations

from django.db import models

from ..constants import Audience


class Bundle(models.Model):
    code = models.CharField("一件事编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    audience = models.CharField("服务对象", max_length=10, choices=Audience.choices)
    lead_department = models.ForeignKey("identity.Department", on_delete=models.PROTECT, related_name="led_bundles",
                                        verbose_name="牵头部门")
    description = models.TextField("说明", blank=True)
    shared_fields = models.JSONField("共享表单字段（字段键）", default=list)
    items = models.ManyToManyField("ServiceItem", through="BundleItem", related_name="bundles")
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "一件事"
        verbose_name_plural = "一件事"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey("ServiceItem", on_delete=models.PROTECT, related_name="bundle_entries")
    position = models.PositiveSmallIntegerField("顺序")

    class Meta:
        verbose_name = "一件事包含的事项"
        verbose_name_plural = "一件事包含的事项"
        ordering = ["bundle", "position"]
        constraints = [models.UniqueConstraint(fields=["bundle", "item"], name="bundle_item_unique")]
