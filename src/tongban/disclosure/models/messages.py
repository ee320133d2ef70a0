"""The per-site message box (留言): a signed-in citizen's message, moderated by the site's
editors, answered by the department, listed on the site with personal data masked (R4), and
handed to the 12345 hotline when the site says so (the ticket number is kept here)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..constants import MESSAGE_TEXT_MAX, MESSAGE_TITLE_MAX, MessageStatus


class SiteMessage(models.Model):
    site = models.ForeignKey("disclosure.DisclosureSiteRoot", on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_display = models.CharField("留言人（已隐去）", max_length=20)
    form_token = models.CharField("表单令牌", max_length=64)
    title = models.CharField("标题", max_length=MESSAGE_TITLE_MAX)
    text = models.TextField("留言内容", max_length=MESSAGE_TEXT_MAX)
    public_text = models.TextField("公开的留言内容（个人信息已隐去）", blank=True)
    status = models.CharField("状态", max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    moderation_reason = models.CharField("不予公开的理由", max_length=200, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField("答复", blank=True)
    public_answer = models.TextField("公开的答复（个人信息已隐去）", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer_department = models.ForeignKey(
        "identity.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    ticket_number = models.CharField("12345工单编号", max_length=20, blank=True)
    handed_off_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField("留言时间", default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "网站留言"
        constraints = [models.UniqueConstraint(fields=["author", "form_token"], name="site_message_once_per_form")]
        indexes = [models.Index(fields=["site", "status", "created_at"], name="site_message_listing")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"LY{timezone.localtime(self.created_at):%Y}{self.pk or 0:06d}"
