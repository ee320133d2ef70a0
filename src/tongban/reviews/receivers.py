"""Reviews listen to the hotline (reviews → hotline; the hotline never imports reviews): a
ticket saved with a callback rating gets that rating as its review (R25 → R26)."""

from __future__ import annotations

from typing import Any


def ticket_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    callback = instance.callback
    if created or not isinstance(callback, dict) or not isinstance(callback.get("level"), int):
        return
    from .actions import record_callback

    record_callback(instance)


def connect() -> None:
    from django.db.models.signals import post_save

    from tongban.hotline.models import Ticket

    post_save.connect(ticket_saved, sender=Ticket, dispatch_uid="reviews.ticket_callback")
