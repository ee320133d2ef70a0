"""The message centre (消息中心): notices and reminders addressed to the person who acted,
naming the enterprise when they acted for one, with an optional attached document (a PDF
notice). Only the addressee sees a message (owner scope)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tongban.identity.scoping import Scope, ScopedQuerySet


class InboxMessage(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox",
                             verbose_name="收件人")
    enterprise = models.ForeignKey("identity.Enterprise", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+", verbose_name="代表的企业")
    kind = models.CharField("类别", max_length=40, help_text="如 case.accepted、case.correction")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", max_length=4000)
    link = models.CharField("相关页面", max_length=300, blank=True)
    attachment = models.CharField("附件（存储名）", max_length=300, blank=True)
    attachment_name = models.CharField("附件名称", max_length=200, blank=True)
    created_at = models.DateTimeField("发送时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(owner="user")

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return self.title
