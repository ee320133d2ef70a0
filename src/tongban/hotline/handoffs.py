"""Messages left on a disclosure site become 12345 tickets (the seam of DESIGN.md: disclosure
defines the `message_received` hook, the hotline fills it). The ticket is filed through the
hotline's one intake (`actions.file_ticket`) as a web ticket of the message's author, in the
site's region; the returned number is what disclosure records on the message."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from tongban.core.errors import FieldError
from tongban.disclosure.signals import message_received

from . import actions
from .constants import MAX_TEXT, Channel


@receiver(message_received, dispatch_uid="hotline.ticket_from_site_message")
def ticket_from_site_message(sender: Any, *, reference: str, author: Any, title: str, text: str, region: str,
                             name: str, site: str, **kwargs: Any) -> str:
    body = f"【{site}网站留言 {reference}】{title}\n{text}"[:MAX_TEXT]
    data = {"text": body, "channel": Channel.WEB, "region": region, "name": (name or "")[:40]}
    try:
        ticket, _ = actions.file_ticket(author, data, source=f"disclosure:{reference}")
    except FieldError as exc:
        if not any(field == "region" for field, _ in exc.errors):
            raise
        ticket, _ = actions.file_ticket(author, {**data, "region": ""}, source=f"disclosure:{reference}")
    return ticket.number
