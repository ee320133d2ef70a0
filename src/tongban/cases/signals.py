"""Signals other apps hook into (the licence library issues a licence on approval).

`case_approved(sender=Case, case=case)` is sent after the approving transaction commits."""

from django.dispatch import Signal

case_approved = Signal()
