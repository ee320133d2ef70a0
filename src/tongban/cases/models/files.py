"""案件材料文件: a file the applicant uploaded for one material of a case's list.

The content went through `tongban.core.uploads.store` (type from content, size, scan, hash);
the row keeps what it returned and who uploaded it when. A material may receive several
files over its life (a correction replaces what an officer found wanting); the newest is the
material's current one, the older ones stay for the record."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CaseFile(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="files", verbose_name="办件")
    material = models.ForeignKey("cases.CaseMaterial", on_delete=models.CASCADE, related_name="files",
                                 verbose_name="材料")
    storage_name = models.CharField("存储名称", max_length=255)
    kind = models.CharField("文件类型", max_length=8)
    content_type = models.CharField("媒体类型", max_length=60)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "办件材料文件"
        verbose_name_plural = "办件材料文件"
        ordering = ["material", "-uploaded_at", "-id"]
        indexes = [models.Index(fields=["material", "-uploaded_at"])]

    def __str__(self) -> str:
        return self.original_name or self.storage_name
