"""Signals of the licence library. `data_use_objected(objection)` is sent after the filing
commits (the oversight app may listen)."""

from django.dispatch import Signal

data_use_objected = Signal()
