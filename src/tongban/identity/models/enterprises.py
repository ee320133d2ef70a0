from django.conf import settings
from django.db import models

from ..scoping import Scope, ScopedQuerySet


class Enterprise(models.Model):
    """A legal person identified by its unified social credit code (RULES R2)."""

    uscc = models.CharField("统一社会信用代码", max_length=18, primary_key=True)
    name = models.CharField("名称", max_length=120)
    legal_representative = models.CharField("法定代表人", max_length=50)
    region = models.ForeignKey("identity.Region", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="enterprises")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(region="region")

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"

    def __str__(self) -> str:
        return self.name


class EnterpriseMembership(models.Model):
    """Who may act for an enterprise. A request stays *pending* until the legal
    representative or an administrator approves it; only *active* memberships let a user
    switch identity to the enterprise."""

    class Role(models.TextChoices):
        LEGAL_REPRESENTATIVE = "legal_rep", "法定代表人"
        AGENT = "agent", "经办人"

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        ACTIVE = "active", "已授权"
        REVOKED = "revoked", "已撤销"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("身份", max_length=10, choices=Role.choices, default=Role.AGENT)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(owner="user")

    class Meta:
        verbose_name = "企业授权"
        verbose_name_plural = "企业授权"
        constraints = [models.UniqueConstraint(fields=["enterprise", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.enterprise} ({self.get_status_display()})"
