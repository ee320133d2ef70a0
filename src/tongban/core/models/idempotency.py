from django.db import models


class IdempotencyRecord(models.Model):
    """The first answer to a create request sent with an `Idempotency-Key` header; a repeat
    with the same key (same caller) gets this answer back and creates nothing."""

    key = models.CharField(max_length=100)
    caller = models.CharField(max_length=64, help_text="user id, or the client address for anonymous calls")
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "幂等键"
        verbose_name_plural = "幂等键"
        constraints = [models.UniqueConstraint(fields=["caller", "key"], name="idempotency_caller_key")]
