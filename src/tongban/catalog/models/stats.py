"""Daily counts behind "hot services" (热门服务): guide views and applications per item and day.
No person is recorded — only how often an item was looked at or applied for."""

from __future__ import annotations

from django.db import models


class ItemDailyStat(models.Model):
    item = models.ForeignKey("ServiceItem", on_delete=models.CASCADE, related_name="daily_stats",
                             verbose_name="事项")
    day = models.DateField("日期")
    views = models.PositiveIntegerField("浏览次数", default=0)
    applications = models.PositiveIntegerField("申请次数", default=0)

    class Meta:
        verbose_name = "事项每日统计"
        verbose_name_plural = "事项每日统计"
        constraints = [models.UniqueConstraint(fields=["item", "day"], name="item_daily_stat_unique")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.item_id} {self.day}: {self.views}/{self.applications}"
