"""R8 reminders (issue 5 item 8): warned cases to their officers, overdue ones to supervisors,
corrections and promises coming due to the applicants — each exactly once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tongban.cases import actions, reminders
from tongban.cases.models import CaseReminder, CorrectionRequest
from tongban.core.calendar import add_working_days
from tongban.identity.models import InboxMessage

from .helpers import backdate, file_case

pytestmark = pytest.mark.django_db

TOLERABLE = "拟执业医疗卫生机构的聘用证明"
NOT_TOLERABLE = "医师资格证书"


def _inbox(user, kind: str) -> list[InboxMessage]:
    return list(InboxMessage.objects.filter(user=user, kind=f"case-{kind}"))


def test_R8_warned_case_reminds_its_officers_once(cast, catalog, health_officer):
    case = file_case(cast.citizen)
    actions.accept(health_officer, case)
    backdate(case, 17)  # 3 of 20 working days left: warned
    assert reminders.send() >= 1
    [message] = _inbox(health_officer, "warned")
    assert case.number in message.body and "剩余" in message.body and message.link == f"/staff/cases/{case.number}/"
    assert reminders.send() == 0  # the hourly job does not repeat itself
    assert len(_inbox(health_officer, "warned")) == 1
    assert not _inbox(cast.officer_a, "warned")  # another department's officer hears nothing
    assert not _inbox(cast.supervisor, "overdue")


def test_R8_overdue_case_reminds_the_supervisors_and_not_the_applicant(cast, catalog, health_officer):
    case = file_case(cast.citizen)
    actions.accept(health_officer, case)
    backdate(case, 25)
    reminders.send()
    [message] = _inbox(cast.supervisor, "overdue")
    assert case.number in message.body and "超过法定期限" in message.body
    assert not InboxMessage.objects.filter(user=cast.citizen, kind__startswith="case-").exists()
    assert CaseReminder.objects.filter(case=case, kind="overdue").count() >= 1


def test_running_case_reminds_no_one(cast, catalog, health_officer):
    case = file_case(cast.citizen)
    actions.accept(health_officer, case)
    backdate(case, 3)
    assert reminders.send() == 0


def test_outstanding_correction_reminds_the_applicant(cast, catalog, health_officer):
    case = file_case(cast.citizen)
    actions.request_correction(health_officer, case, materials=[NOT_TOLERABLE], reason="复印件不清晰")
    sent = timezone.localtime(CorrectionRequest.objects.get(case=case).sent_at).date()
    assert reminders.send(add_working_days(sent, 2)) == 0  # not yet
    assert reminders.send(add_working_days(sent, 6)) == 1
    [message] = _inbox(cast.citizen, "correction")
    assert NOT_TOLERABLE in message.body and message.link == f"/cases/{case.number}/"


def test_R10_promise_coming_due_reminds_the_applicant_before_it_breaks(cast, catalog, health_officer):
    case = file_case(cast.citizen)
    start = timezone.localdate()
    actions.accept(health_officer, case, missing=[TOLERABLE])
    due = case.promise.due
    assert reminders.send(start) == 0
    day_before = due - dt.timedelta(days=1)
    while day_before.weekday() >= 5:
        day_before -= dt.timedelta(days=1)
    reminders.send(day_before)
    [message] = _inbox(cast.citizen, "promise")
    assert TOLERABLE in message.body and due.isoformat() in message.body and "中止" in message.body
