"""Site health runs (R23): what the scheduled check found on a site, each failure with the link
to what fixes it. The dashboard shows the latest run."""

from __future__ import annotations

from django.db import models

from ..constants import HealthCheck


class HealthRun(models.Model):
    site = models.ForeignKey("disclosure.DisclosureSiteRoot", on_delete=models.CASCADE, related_name="health_runs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    pages_checked = models.PositiveIntegerField(default=0)
    external_checked = models.PositiveIntegerField(default=0)
    external_skipped = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "网站健康检查"


class HealthFinding(models.Model):
    run = models.ForeignKey(HealthRun, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField("检查项", max_length=20, choices=HealthCheck.choices)
    title = models.CharField("问题", max_length=300)
    detail = models.CharField("说明", max_length=500, blank=True)
    fix_url = models.CharField("整改入口", max_length=300)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = "健康检查问题"
