from django.db import models


class AuditRecord(models.Model):
    """One entry of the append-only audit trail (ADR 0005).

    Writers only INSERT (no lock, no chain read), so concurrent actions never queue behind
    each other. A sealer later gives each committed record the next `seq` and links it to
    its predecessor: `hash = SM3/SHA-256(prev_hash || canonical content)`. An edited record
    breaks its own hash, a deleted one leaves a gap in `seq` or a stale chain head.
    """

    class Kind(models.TextChoices):
        WRITE = "write", "写操作"
        READ = "read", "个人数据读取"
        AUTH = "auth", "登录与认证"
        SYSTEM = "system", "系统"

    created_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    action = models.CharField("动作", max_length=80)
    # Plain ids, not foreign keys: deleting an account must never rewrite the trail.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    on_behalf_of = models.CharField("代表的企业", max_length=18, blank=True)
    department = models.CharField(max_length=40, blank=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True, help_text="数据主体：其数据被读取或处理的用户")
    reason = models.CharField("事由", max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        indexes = [
            models.Index(fields=["subject_id", "kind", "created_at"], name="audit_subject_kind"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"


class AuditChainHead(models.Model):
    """The single row that remembers the last sealed record, so deleting the newest
    records is as visible as deleting one in the middle."""

    name = models.CharField(max_length=20, primary_key=True, default="main")
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"
