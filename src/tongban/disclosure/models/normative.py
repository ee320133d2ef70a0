"""Unified registration numbers of normative documents (行政规范性文件统一登记编号): each issuer
has a pattern (`DLSZGF-{year}-{seq:04d}` …); one counter row per (issuer, year), incremented
under its row lock inside the publishing transaction (unique and gap-free under concurrency —
a rolled-back publication gives its number back; see numbering.py)."""

from __future__ import annotations

from django.db import models


class RegistrationPattern(models.Model):
    issuer = models.OneToOneField(
        "identity.Department", on_delete=models.CASCADE, related_name="+", primary_key=True, verbose_name="发布机关"
    )
    template = models.CharField(
        "登记编号格式",
        max_length=60,
        help_text="须含 {year} 与 {seq}（可写 {seq:04d} 指定位数），如 DLSZGF-{year}-{seq:04d}",
    )

    class Meta:
        verbose_name = "规范性文件登记编号格式"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.issuer_id}: {self.template}"


class RegistrationCounter(models.Model):
    issuer = models.CharField(max_length=40)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "year"], name="disclosure_regcounter_issuer_year")]
