"""Daily rollup of the materials-avoided report (R12): case materials counted per submission day
(Asia/Shanghai) × region × department × item × provision, kept by a watermark (`MaterialStatsMark`)."""

from __future__ import annotations

from django.db import models


class MaterialDailyStat(models.Model):
    """The materials of the cases submitted on `day`, as they were when the day was last refreshed.
    The report reads whole summarised days from here and the rest (today, unsummarised days) live."""

    day = models.DateField("提交日期")
    region = models.ForeignKey("identity.Region", on_delete=models.DO_NOTHING, db_constraint=False,
                               related_name="+", verbose_name="办理区划")
    department = models.ForeignKey("identity.Department", on_delete=models.DO_NOTHING, db_constraint=False,
                                   related_name="+", verbose_name="办理部门")
    item = models.ForeignKey("catalog.ServiceItem", null=True, on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+", verbose_name="事项")
    provision = models.CharField("提供方式", max_length=10)
    n = models.PositiveIntegerField("材料数", default=0)

    class Meta:
        verbose_name = "材料免提交日汇总"
        verbose_name_plural = "材料免提交日汇总"
        constraints = [models.UniqueConstraint(fields=["day", "region", "department", "item", "provision"],
                                               nulls_distinct=False, name="material_daily_stat_key")]


class MaterialStatsMark(models.Model):
    """Watermark of the rollup job (`daily`): days summarised through, changes seen since."""

    name = models.CharField(max_length=20, primary_key=True)
    summarised_through = models.DateField(null=True)
    changes_since = models.DateTimeField(null=True)

    class Meta:
        verbose_name = "材料汇总水位"
        verbose_name_plural = "材料汇总水位"
