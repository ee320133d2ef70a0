"""R5 late in the year: a case whose deadline falls in a year whose holidays nobody has
entered yet still files, reads and lists — its deadline is pending, never guessed — and the
nightly recomputation skips nothing and stops at nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.cases import clocks, tasks
from tongban.cases.models import Case, CaseClockEvent

from .conftest import file

pytestmark = [pytest.mark.django_db, pytest.mark.real_calendar]
LONG_ITEM = "RS-GG-004"  # 45 working days


def _accepted_on(case: Case, day: dt.date) -> None:
    Case.objects.filter(pk=case.pk).update(status="accepted", accepted_on=day)
    CaseClockEvent.objects.create(case=case, kind="start", on=day, at=timezone.now(), reason="受理")


def test_R5_deadline_in_an_unentered_year_is_pending(clients):
    number = file(clients.citizen, item=LONG_ITEM).json()["number"]
    case = Case.objects.get(number=number)
    _accepted_on(case, dt.date(2026, 11, 2))
    case.refresh_from_db()
    r = clocks.reading(case, today=dt.date(2026, 11, 25))
    assert r["deadline"] is None and r["deadline_pending"] is True
    assert (r["days_used"], r["days_left"], r["state"]) == (17, 28, "running")
    assert tasks.recompute_clocks.apply().get() >= 1  # the nightly job goes on


def test_R5_queue_and_detail_answer_with_a_pending_deadline(clients):
    number = file(clients.citizen, item=LONG_ITEM).json()["number"]
    _accepted_on(Case.objects.get(number=number), timezone.localdate() - dt.timedelta(days=1))
    assert clients.citizen.get(f"/api/cases/{number}").status_code == 200
    assert clients.citizen.get("/api/cases").status_code == 200
