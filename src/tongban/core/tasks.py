import datetime as dt

from django.utils import timezone

from .audit import seal_pending
from .jobs import job
from .models import IdempotencyRecord


@job(every=5)
def seal_audit_trail() -> int:
    """Link newly committed audit records into the chain."""
    return seal_pending()


@job(every=3600)
def purge_idempotency_keys(hours: int = 24) -> int:
    cutoff = timezone.now() - dt.timedelta(hours=hours)
    return IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()[0]
