"""The open data catalogue (数据开放目录): datasets with DCAT-style metadata and immutable
versions, each downloadable as CSV and JSON."""

from __future__ import annotations

from django.db import models


class Dataset(models.Model):
    identifier = models.SlugField("标识", max_length=80, unique=True)
    title = models.CharField("名称", max_length=200)
    description = models.TextField("说明")
    publisher = models.ForeignKey(
        "identity.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="提供部门",
    )
    publisher_name = models.CharField("提供单位", max_length=100)
    theme = models.CharField("主题", max_length=50)
    keywords = models.JSONField("关键词", default=list, blank=True)
    license = models.CharField("开放条件", max_length=100, default="无条件开放")
    periodicity = models.CharField("更新频率", max_length=20, default="monthly")
    source = models.CharField("数据来源（登记的生成程序）", max_length=80, blank=True)
    columns = models.JSONField("字段", default=list, help_text="[{name, label, type}]")
    issued = models.DateTimeField("首次发布", auto_now_add=True)
    modified = models.DateTimeField("最近更新", auto_now=True)

    class Meta:
        verbose_name = "开放数据集"
        verbose_name_plural = verbose_name
        ordering = ["identifier"]

    def __str__(self) -> str:
        return self.title


class DatasetVersion(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    rows = models.JSONField("数据", default=list)
    row_count = models.PositiveIntegerField("记录数", default=0)
    suppressed = models.PositiveIntegerField("隐去的小计数单元格", default=0)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["dataset", "-number"]
        constraints = [models.UniqueConstraint(fields=["dataset", "number"], name="disclosure_dataset_version")]
