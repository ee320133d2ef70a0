"""并联审批: one opinion slot per parallel department of a case (tongban.cases.process)."""

from django.conf import settings
from django.db import models


class CaseParallelReview(models.Model):
    class Opinion(models.TextChoices):
        AGREE = "agree", "同意"
        DISAGREE = "disagree", "不同意"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="parallel_reviews")
    department = models.ForeignKey("identity.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name="并联审查部门")
    opinion = models.CharField("审查意见", max_length=10, choices=Opinion.choices, blank=True)
    note = models.TextField("意见说明", blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField("审查时间", null=True, blank=True)

    class Meta:
        verbose_name = "并联审查意见"
        verbose_name_plural = "并联审查意见"
        ordering = ["case", "department"]
        constraints = [models.UniqueConstraint(fields=["case", "department"], name="parallel_review_once")]
        indexes = [models.Index(fields=["department", "opinion"])]
