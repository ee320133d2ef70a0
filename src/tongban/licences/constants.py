"""The vocabularies of the licence library: statuses, holder kinds, seal algorithms, version kinds."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    VALID = "valid", "有效"
    EXPIRED = "expired", "已过期"
    REVOKED = "revoked", "已注销（吊销）"
    SUSPENDED = "suspended", "已暂扣（中止）"


class HolderKind(models.TextChoices):
    PERSON = "person", "自然人"
    ENTERPRISE = "enterprise", "法人"


class Algorithm(models.TextChoices):
    SM2 = "sm2", "SM2（SM3 摘要）"
    ED25519 = "ed25519", "Ed25519"
    ECDSA_P256 = "ecdsa-p256", "ECDSA P-256（SHA-256）"


class KeyStatus(models.TextChoices):
    ACTIVE = "active", "在用"
    RETIRED = "retired", "已停用"
    COMPROMISED = "compromised", "已泄露"


class VersionKind(models.TextChoices):
    ISSUE = "issue", "签发"
    CHANGE = "change", "变更"
    RENEW = "renew", "延续"
    REVOKE = "revoke", "注销（吊销）"
    SUSPEND = "suspend", "暂扣（中止）"
    REINSTATE = "reinstate", "恢复"
    RESEAL = "reseal", "重新签章"
    IMPORT = "import", "导入"


# Officer actions of the API: action name → (version kind, status after).
OFFICER_ACTIONS = {
    "revoke": (VersionKind.REVOKE, Status.REVOKED),
    "suspend": (VersionKind.SUSPEND, Status.SUSPENDED),
    "reinstate": (VersionKind.REINSTATE, Status.VALID),
}
# Which current statuses each action may start from (others: 409).
ACTION_FROM = {
    "revoke": {Status.VALID, Status.SUSPENDED},
    "suspend": {Status.VALID},
    "reinstate": {Status.SUSPENDED},
    "renew": {Status.VALID, Status.SUSPENDED},
}
DEFAULT_ALGORITHM = Algorithm.SM2
KEY_VALIDITY_YEARS = 5
EXPIRY_REMINDER_DAYS = 30
