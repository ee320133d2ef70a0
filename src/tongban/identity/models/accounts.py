from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from ..constants import RealNameLevel, UserKind
from ..scoping import Scope, ScopedQuerySet


class User(AbstractUser):
    """Every account: natural persons (username = their ID number), staff and system accounts.

    A natural person's ID number is validated by RULES R1 and unique; staff have no ID number
    on the platform (they sign in with a username, password and TOTP)."""

    kind = models.CharField("账号类型", max_length=10, choices=UserKind.choices, default=UserKind.PERSON)
    name = models.CharField("姓名", max_length=50, blank=True)
    id_number = models.CharField("公民身份号码", max_length=18, unique=True, null=True, blank=True)
    phone = models.CharField("手机号", max_length=11, blank=True, db_index=True)
    real_name_level = models.PositiveSmallIntegerField(
        "实名等级", choices=RealNameLevel.choices, default=RealNameLevel.DECLARED)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.UniqueConstraint(fields=["phone"], condition=models.Q(kind="person") & ~models.Q(phone=""),
                                    name="person_phone_unique"),
        ]

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def is_staff_member(self) -> bool:
        return self.kind == UserKind.STAFF


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the token itself is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_tokens")
    name = models.CharField("用途", max_length=80, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(owner="user")

    class Meta:
        verbose_name = "个人 API 令牌"
        verbose_name_plural = "个人 API 令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class SmsCode(models.Model):
    """A one-time login code sent by SMS: stored hashed, valid for a few minutes, used once,
    and dead after too many wrong guesses."""

    phone = models.CharField(max_length=11, db_index=True)
    purpose = models.CharField(max_length=20, default="login")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        ordering = ["-created_at"]


class SmsMessage(models.Model):
    """The outbox of the default SMS backend (development and demo): what would have been sent."""

    phone = models.CharField(max_length=11, db_index=True)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "短信发件箱"
        verbose_name_plural = "短信发件箱"
        ordering = ["-created_at"]
