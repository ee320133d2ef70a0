"""Daily summary tables (day × region × department × item × channel) and their monthly rollup
(month × region × department × item: the sum of the month's daily rows, rewritten with them):
plain columns, no foreign keys, so the same tables serve PostgreSQL and SQLite and a rebuild is
a delete and an insert. Today is never summarised: it is computed live (tongban.oversight.stats)."""

from __future__ import annotations

from django.db import models


class StatFigures(models.Model):
    """The summed figures of a summary row (tongban.oversight.stats.METRICS)."""

    filed = models.PositiveIntegerField("申请数", default=0)
    online = models.PositiveIntegerField("网上申请数", default=0)
    materials_required = models.PositiveIntegerField("应交材料数", default=0)
    materials_avoided = models.PositiveIntegerField("免交材料数（复用+调取）", default=0)
    decided = models.PositiveIntegerField("办结数", default=0)
    days_used = models.PositiveIntegerField("办结用时合计（工作日）", default=0)
    days_promised = models.PositiveIntegerField("承诺时限合计（工作日）", default=0)
    reviews_1 = models.PositiveIntegerField("非常不满意", default=0)
    reviews_2 = models.PositiveIntegerField("不满意", default=0)
    reviews_3 = models.PositiveIntegerField("基本满意", default=0)
    reviews_4 = models.PositiveIntegerField("满意", default=0)
    reviews_5 = models.PositiveIntegerField("非常满意", default=0)
    reviews_excluded = models.PositiveIntegerField("已剔除评价", default=0)
    visits = models.PositiveIntegerField("办结办件的到场次数合计", default=0)
    visits_zero = models.PositiveIntegerField("一次不用跑的办结办件", default=0)
    visits_le_one = models.PositiveIntegerField("最多跑一次的办结办件", default=0)

    class Meta:
        abstract = True


class DailyStat(StatFigures):
    day = models.DateField("日期")
    region = models.CharField("区划", max_length=12)
    department = models.CharField("部门", max_length=40)
    item = models.CharField("事项编码（评价无事项时为空）", max_length=40, blank=True)
    channel = models.CharField("渠道（办件：online/window；评价：portal/mobile/kiosk/sms/window）", max_length=10)

    class Meta:
        verbose_name = "每日统计"
        verbose_name_plural = "每日统计"
        constraints = [models.UniqueConstraint(fields=["day", "region", "department", "item", "channel"],
                                               name="daily_stat_unique_key")]
        indexes = [models.Index(fields=["day", "department"])]


class MonthlyStat(StatFigures):
    """A month's daily rows summed per region, department and item (all channels): a year's
    overview reads twelve of these per cell instead of 365 daily rows. Written only together
    with the month's daily rows (stats.refresh_days), so it always equals their sum."""

    month = models.DateField("月份（当月 1 日）")
    region = models.CharField("区划", max_length=12)
    department = models.CharField("部门", max_length=40)
    item = models.CharField("事项编码（评价无事项时为空）", max_length=40, blank=True)

    class Meta:
        verbose_name = "月度统计"
        verbose_name_plural = "月度统计"
        constraints = [models.UniqueConstraint(fields=["month", "region", "department", "item"],
                                               name="monthly_stat_unique_key")]


class StatsWatermark(models.Model):
    """Where the incremental refresh stopped: changes after `changes_since` are looked at next
    time; every day up to `summarised_through` has its rows."""

    name = models.CharField(max_length=20, primary_key=True)
    changes_since = models.DateTimeField(null=True, blank=True)
    summarised_through = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "统计水位"
        verbose_name_plural = "统计水位"
