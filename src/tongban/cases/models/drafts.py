"""A draft application (草稿): the form as the applicant left it, kept on the server so that it
resumes on another device. One per applicant, enterprise acted for and item or bundle."""

from django.conf import settings
from django.db import models

from tongban.catalog.models.items import ReadableJSONEncoder


class CaseDraft(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_drafts")
    holder = models.CharField("代表的企业（统一社会信用代码）", max_length=18, blank=True, default="",
                              help_text="为空：以本人名义申请")
    code = models.CharField("事项或一件事编码", max_length=40)
    is_bundle = models.BooleanField("一件事", default=False)
    region = models.ForeignKey("identity.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    form = models.JSONField("已填写的申请表", default=dict, blank=True, encoder=ReadableJSONEncoder)
    updated_at = models.DateTimeField("保存时间", auto_now=True)

    class Meta:
        verbose_name = "申请草稿"
        verbose_name_plural = "申请草稿"
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["user", "holder", "code"], name="case_draft_once")]
