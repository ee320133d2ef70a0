"""实施清单: an item as one department implements it in one region. Only local elements
live here; everything standard comes from the item's version."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from tongban.identity.scoping import Scope, ScopedQuerySet

from ..constants import DaysUnit


class ItemImplementation(models.Model):
    item = models.ForeignKey("ServiceItem", on_delete=models.PROTECT, related_name="implementations")
    department = models.ForeignKey("identity.Department", on_delete=models.PROTECT, related_name="implementations",
                                   verbose_name="实施部门")
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="implementations",
                               verbose_name="实施区划")
    place = models.CharField("办理地点", max_length=300, blank=True)
    window = models.CharField("办理窗口", max_length=200, blank=True)
    hours = models.CharField("办理时间", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=60, blank=True)
    consultation = models.CharField("咨询方式", max_length=300, blank=True)
    complaint = models.CharField("投诉渠道", max_length=300, blank=True)
    fee = models.CharField("收费（实际执行）", max_length=300, blank=True)
    promised_days = models.PositiveSmallIntegerField("承诺办结时限（工作日）")
    # A copy of the standard's legal limit, kept in step by every publish, so that the
    # database itself refuses a promise above the law (the check below).
    legal_days = models.PositiveSmallIntegerField("法定办结时限", editable=False)
    legal_days_unit = models.CharField("法定时限单位", max_length=10, choices=DaysUnit.choices, editable=False,
                                       default=DaysUnit.WORKING)
    online_url = models.CharField("网上办理地址", max_length=300, blank=True)
    notes = models.TextField("其他说明", blank=True)
    active = models.BooleanField("在用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(department="department", region="region")

    class Meta:
        verbose_name = "实施清单"
        verbose_name_plural = "实施清单"
        ordering = ["item", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["item", "region"], name="one_implementation_per_region"),
            models.CheckConstraint(condition=Q(promised_days__lte=F("legal_days")),
                                   name="promised_days_within_legal_days"),
        ]

    def __str__(self) -> str:
        return f"{self.item} @ {self.region_id}"
