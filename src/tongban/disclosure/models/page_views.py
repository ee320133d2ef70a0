"""Page views per column (issue 7, item 1): one row per column and local day (Asia/Shanghai),
counting the public views of the column and of the documents, interpretations and
consultations in it. Nothing personal is kept — no IP address, account, session or user agent,
only the count (`page_views.py` does the counting)."""

from __future__ import annotations

from django.db import models


class ColumnDailyViews(models.Model):
    column = models.ForeignKey(
        "disclosure.ColumnPage", on_delete=models.CASCADE, related_name="daily_views", verbose_name="栏目"
    )
    # the column's site when the views were counted, so a site's figures are one indexed range
    site = models.ForeignKey(
        "disclosure.DisclosureSiteRoot", on_delete=models.CASCADE, related_name="+", verbose_name="站点"
    )
    day = models.DateField("日期")
    views = models.PositiveIntegerField("访问量", default=0)

    class Meta:
        verbose_name = "栏目日访问量"
        constraints = [models.UniqueConstraint(fields=["column", "day"], name="disclosure_views_column_day")]
        indexes = [models.Index(fields=["site", "day"], name="disclosure_views_site_day")]

    def __str__(self) -> str:
        return f"{self.column_id} {self.day}: {self.views}"
