"""SMS gateway interface. The default backend keeps messages in the database outbox (and the
log) so development and demos need no gateway; production names a gateway class in
TONGBAN_SMS_BACKEND implementing `send`."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from tongban.core.masking import mask_phone

log = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class DatabaseSmsBackend:
    def send(self, phone: str, text: str) -> None:
        from .models import SmsMessage

        SmsMessage.objects.create(phone=phone, text=text)
        log.info("短信（未真实发送）→ %s", mask_phone(phone))


def get_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()
