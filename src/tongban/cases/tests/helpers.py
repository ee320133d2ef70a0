"""Helpers of the notice and page tests: filing and moving cases through the actions, signing
staff in with their second factor, reading a PDF's text."""

from __future__ import annotations

import datetime as dt
import io

from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from tongban.cases import actions
from tongban.cases.models import Case, CaseClockEvent, CaseStep
from tongban.core.calendar import get_calendar

from .conftest import ITEM


def file_case(user, item: str = ITEM, **kwargs) -> Case:
    return actions.submit(user, item=item, region=kwargs.pop("region", "210200"), **kwargs)


def pdf_text(data: bytes) -> str:
    assert data[:5] == b"%PDF-"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def embedded_fonts(data: bytes) -> set[str]:
    """The names of the fonts whose program is embedded in the PDF."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor and any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(font["/BaseFont"]))
    return names


def staff_client(user) -> Client:
    """A browser session of a staff member who passed the second factor (TOTP)."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def person_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def backdate(case: Case, working_days_ago: int) -> None:
    """Move the case's acceptance `working_days_ago` working days back (warned, overdue)."""
    from tongban.cases import clocks

    cal, today = get_calendar(), timezone.localdate()
    start = today
    while cal.between(start, today) < working_days_ago:
        start -= dt.timedelta(days=1)
    shift = today - start
    CaseClockEvent.objects.filter(case=case).update(on=start)
    CaseStep.objects.filter(case=case).update(at=timezone.now() - shift)
    Case.objects.filter(pk=case.pk).update(accepted_on=start, submitted_at=timezone.now() - shift)
    case.refresh_from_db()
    clocks.refresh_cache(case)


def md(day: dt.date) -> str:
    return f"{day.month} 月 {day.day} 日"


def sign_promise(case: Case) -> None:
    """The applicant signs the online promise with the code the SMS outbox received (R10)."""
    import re

    from django.test import TestCase

    from tongban.cases import promise_actions
    from tongban.identity.models import SmsMessage

    with TestCase.captureOnCommitCallbacks(execute=True):
        promise_actions.send_promise_code(case.applicant, case)
    text = SmsMessage.objects.filter(phone=case.applicant.phone).latest("created_at").text
    promise_actions.sign_promise(case.applicant, case, code=re.search(r"验证码(\d{6})", text).group(1))
