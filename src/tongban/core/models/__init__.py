"""Platform infrastructure tables. `core` holds no business-domain models: only the
audit trail, the working-day calendar's administrator-entered years and idempotency keys."""

from .audit import AuditChainHead, AuditRecord
from .calendar import CalendarDay, CalendarYear
from .idempotency import IdempotencyRecord

__all__ = ["AuditChainHead", "AuditRecord", "CalendarDay", "CalendarYear", "IdempotencyRecord"]
