"""The State Council working-day calendar (RULES R5): facts, samples, properties, and years
entered by an administrator (model, signal, admin)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import chinese_calendar
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.core import calendar as calendar_module
from tongban.core.calendar import (
    CACHE_VERSION_KEY,
    UnknownCalendarYear,
    add_working_days,
    get_calendar,
    invalidate_calendar,
    is_working_day,
    library_calendar,
    working_days_between,
)
from tongban.core.models import AuditChainHead, AuditRecord, CalendarDay, CalendarYear, IdempotencyRecord

pytestmark = pytest.mark.real_calendar  # the unknown year is what these tests are about

D = dt.date
LIB = library_calendar()
SAMPLES = Path(__file__).resolve().parents[4].parent / "shared" / "acceptance" / "samples" / "calendar.json"
FIRST, LAST = D(2004, 1, 1), D(2026, 12, 31)
# starts late enough in 2026 would need 2027 for 60 working days
starts = st.dates(min_value=FIRST, max_value=D(2026, 9, 1))
limits = st.integers(min_value=1, max_value=60)


# --- 2026 as FACTS.md has it ---------------------------------------------------------------------

def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


HOLIDAYS_2026 = [
    *_days(D(2026, 1, 1), D(2026, 1, 3)),  # New Year
    *_days(D(2026, 2, 15), D(2026, 2, 23)),  # Spring Festival
    *_days(D(2026, 5, 1), D(2026, 5, 5)),  # Labour Day
    *_days(D(2026, 10, 1), D(2026, 10, 7)),  # National Day
]
ADJUSTED_WORKDAYS_2026 = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20),
                          D(2026, 10, 10)]


@pytest.mark.parametrize("day", HOLIDAYS_2026, ids=str)
def test_R5_2026_public_holidays_are_not_working_days(day):
    assert not LIB.is_working_day(day)


@pytest.mark.parametrize("day", ADJUSTED_WORKDAYS_2026, ids=str)
def test_R5_2026_adjusted_weekends_are_working_days(day):
    assert day.weekday() >= 5
    assert LIB.is_working_day(day)


def test_R5_2026_has_no_other_exceptions_to_the_week():
    exceptions = {d for d in _days(D(2026, 1, 1), D(2026, 12, 31)) if LIB.is_working_day(d) != (d.weekday() < 5)}
    expected = {d for d in HOLIDAYS_2026 if d.weekday() < 5} | set(ADJUSTED_WORKDAYS_2026)
    # Qingming (Apr 6), Dragon Boat (Jun 19) and Mid-Autumn (Sep 25) fall outside FACTS.md's list
    assert expected <= exceptions
    assert exceptions - expected == {D(2026, 4, 6), D(2026, 6, 19), D(2026, 9, 25)}


# --- the acceptance samples ---------------------------------------------------------------------

ADD_CASES = [  # (start, days, deadline): samples/calendar.json, then a few more
    (D(2026, 1, 1), 1, D(2026, 1, 4)),
    (D(2026, 2, 10), 5, D(2026, 2, 24)),
    (D(2026, 9, 25), 3, D(2026, 9, 30)),
    (D(2025, 1, 24), 7, D(2025, 2, 10)),
    (D(2026, 2, 13), 1, D(2026, 2, 14)),  # an adjusted Saturday is day 1
    (D(2026, 2, 14), 1, D(2026, 2, 24)),  # the whole Spring Festival is skipped
    (D(2026, 9, 30), 1, D(2026, 10, 8)),
    (D(2026, 4, 30), 1, D(2026, 5, 6)),
    (D(2026, 3, 2), 20, D(2026, 3, 30)),
    (D(2026, 3, 6), 0, D(2026, 3, 6)),  # on-the-spot items
    (D(2026, 3, 7), 1, D(2026, 3, 9)),  # receipt on a Saturday: day 1 is Monday
]
BETWEEN_CASES = [
    (D(2026, 3, 1), D(2026, 3, 31), 22),
    (D(2026, 10, 1), D(2026, 10, 31), 18),
    (D(2026, 2, 14), D(2026, 2, 23), 0),
    (D(2026, 2, 13), D(2026, 2, 14), 1),
    (D(2026, 3, 6), D(2026, 3, 6), 0),
    (D(2026, 3, 9), D(2026, 3, 6), 0),  # end before start counts nothing
    (D(2025, 12, 31), D(2026, 12, 31), 248),  # 261 weekdays − 19 weekday holidays + 6 adjusted
]


@pytest.mark.parametrize(("start", "days", "deadline"), ADD_CASES, ids=str)
def test_R5_add_working_days_samples(start, days, deadline):
    assert LIB.add(start, days) == deadline


@pytest.mark.parametrize(("start", "end", "count"), BETWEEN_CASES, ids=str)
def test_R5_working_days_between_samples(start, end, count):
    assert LIB.between(start, end) == count


def test_R5_deadline_needing_2027_is_an_error_naming_2027():
    with pytest.raises(UnknownCalendarYear, match="2027") as raised:
        LIB.add(D(2026, 12, 30), 5)
    assert raised.value.year == 2027


@pytest.mark.skipif(not SAMPLES.exists(), reason="the shared acceptance samples are not next to this checkout")
def test_R5_shared_acceptance_samples_hold():
    samples = json.loads(SAMPLES.read_text())
    for case in samples["add"]:
        assert LIB.add(D.fromisoformat(case["start"]), case["days"]).isoformat() == case["date"], case
    for case in samples["between"]:
        assert LIB.between(D.fromisoformat(case["start"]), D.fromisoformat(case["end"])) == case["working_days"]
    for case in samples["unknown_year"]:
        with pytest.raises(UnknownCalendarYear):
            LIB.add(D.fromisoformat(case["start"]), case["days"])


def test_R5_negative_day_count_is_refused():
    with pytest.raises(ValueError, match="negative"):
        LIB.add(D(2026, 3, 2), -1)


@pytest.mark.parametrize("day", [D(2003, 12, 31), D(2027, 1, 4), D(2100, 6, 1)], ids=str)
def test_R5_years_outside_the_library_are_unknown(day):
    with pytest.raises(UnknownCalendarYear, match=str(day.year)):
        LIB.is_working_day(day)


# --- properties ----------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(start=starts, days=limits)
def test_R5_add_then_count_round_trips(start, days):
    deadline = LIB.add(start, days)
    assert LIB.between(start, deadline) == days
    # ... and it is the *first* day that completes the count
    assert LIB.between(start, deadline - dt.timedelta(days=1)) == days - 1


@settings(max_examples=200, deadline=None)
@given(start=starts, days=limits)
def test_R5_deadline_is_a_working_day_as_the_state_council_sets_them(start, days):
    deadline = LIB.add(start, days)
    assert deadline > start
    assert chinese_calendar.is_workday(deadline)
    if deadline.weekday() >= 5:  # a weekend only when it is an adjusted working day (调休)
        assert deadline in chinese_calendar.workdays
    assert deadline not in chinese_calendar.holidays


@settings(max_examples=200, deadline=None)
@given(start=starts, days=st.integers(min_value=1, max_value=59))
def test_R5_one_more_day_is_a_later_deadline(start, days):
    assert LIB.add(start, days + 1) > LIB.add(start, days)


@settings(max_examples=200, deadline=None)
@given(dates=st.lists(st.dates(min_value=FIRST, max_value=LAST), min_size=3, max_size=3))
def test_R5_between_is_additive_over_adjacent_spans(dates):
    a, b, c = sorted(dates)
    assert LIB.between(a, b) + LIB.between(b, c) == LIB.between(a, c)


@settings(max_examples=200, deadline=None)
@given(start=st.dates(min_value=FIRST, max_value=LAST), span=st.integers(min_value=0, max_value=120))
def test_R5_between_matches_counting_day_by_day(start, span):
    span = min(span, (LAST - start).days)
    end = start + dt.timedelta(days=span)
    expected = sum(chinese_calendar.is_workday(start + dt.timedelta(days=i)) for i in range(1, span + 1))
    assert LIB.between(start, end) == expected


# --- years entered by an administrator (database) ------------------------------------------------

@pytest.fixture
def fresh_calendar(db):
    """Rebuild the process calendar from this test's database, and forget it afterwards: the
    test's rollback sends no signal, so the entered years would otherwise outlive it."""
    invalidate_calendar()
    yield
    invalidate_calendar()


def enter_year(year: int, *, holidays=(), workdays=(), source="测试录入") -> CalendarYear:
    entry = CalendarYear.objects.create(year=year, source=source)
    CalendarDay.objects.bulk_create(
        [CalendarDay(year=entry, date=d, kind=CalendarDay.Kind.HOLIDAY, name="假日") for d in holidays]
        + [CalendarDay(year=entry, date=d, kind=CalendarDay.Kind.WORKDAY, name="调休") for d in workdays])
    invalidate_calendar()  # bulk_create sends no post_save
    return entry


def test_R5_public_functions_use_the_library_years(fresh_calendar):
    assert add_working_days(D(2026, 2, 10), 5) == D(2026, 2, 24)
    assert working_days_between(D(2026, 3, 1), D(2026, 3, 31)) == 22
    assert is_working_day(D(2026, 2, 14)) and not is_working_day(D(2026, 2, 16))


def test_R5_unknown_year_raises_until_an_administrator_enters_it(fresh_calendar):
    with pytest.raises(UnknownCalendarYear, match="2027"):
        add_working_days(D(2026, 12, 30), 5)
    enter_year(2027, holidays=[D(2027, 1, 1)], workdays=[D(2027, 2, 20)])
    # Dec 31 is day 1; Jan 1 (Fri) is the entered holiday, then the weekend
    assert add_working_days(D(2026, 12, 30), 5) == D(2027, 1, 7)
    assert not is_working_day(D(2027, 1, 1))
    assert is_working_day(D(2027, 2, 20))  # an entered adjusted Saturday
    assert working_days_between(D(2027, 2, 19), D(2027, 2, 22)) == 2  # Sat 20 worked, Sun 21 not


def test_R5_saving_a_calendar_row_invalidates_the_process_cache(fresh_calendar):
    before = get_calendar()
    assert get_calendar() is before  # cached
    version = cache.get(CACHE_VERSION_KEY, 0)
    entry = CalendarYear.objects.create(year=2027, source="国务院办公厅通知")  # post_save, no manual call
    assert cache.get(CACHE_VERSION_KEY) > version  # other processes notice through the shared cache
    assert get_calendar() is not before
    assert is_working_day(D(2027, 1, 1))  # a plain Friday until a holiday is entered
    CalendarDay.objects.create(year=entry, date=D(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    assert not is_working_day(D(2027, 1, 1))
    entry.delete()  # post_delete
    with pytest.raises(UnknownCalendarYear, match="2027"):
        is_working_day(D(2027, 1, 1))


def test_R5_cache_is_invalidated_again_when_the_edit_commits(fresh_calendar, django_capture_on_commit_callbacks):
    """A process that rebuilt between the edit and the commit read the old rows; the version
    bump on commit makes it rebuild once more."""
    with django_capture_on_commit_callbacks() as callbacks:
        CalendarYear.objects.create(year=2027, source="通知")
        stale = get_calendar()  # e.g. another worker rebuilding before the commit
        version = cache.get(CACHE_VERSION_KEY)
    assert callbacks
    for callback in callbacks:
        callback()
    assert cache.get(CACHE_VERSION_KEY) > version
    assert get_calendar() is not stale


def test_R5_a_missing_year_in_the_middle_still_raises(fresh_calendar):
    enter_year(2028, holidays=[D(2028, 1, 1)])
    with pytest.raises(UnknownCalendarYear, match="2027") as raised:
        add_working_days(D(2026, 12, 30), 5)
    assert raised.value.year == 2027
    with pytest.raises(UnknownCalendarYear, match="2027"):
        working_days_between(D(2026, 12, 1), D(2028, 3, 1))
    with pytest.raises(UnknownCalendarYear, match="2027"):  # past the last known day: still 2027, not 2029
        add_working_days(D(2026, 6, 1), 1000)
    # wholly inside the entered year, or counting only its days, works
    assert add_working_days(D(2028, 3, 1), 5) == D(2028, 3, 8)
    assert add_working_days(D(2027, 12, 31), 1) == D(2028, 1, 3)
    with pytest.raises(UnknownCalendarYear, match="2029"):
        add_working_days(D(2028, 12, 1), 60)


def test_R5_an_entered_year_replaces_the_library_year(fresh_calendar):
    enter_year(2026, holidays=[D(2026, 3, 2)])  # a correction: the entry is the whole year
    assert not is_working_day(D(2026, 3, 2))
    assert is_working_day(D(2026, 2, 16))  # the library's Spring Festival is no longer there


# --- the calendar in the Django admin ------------------------------------------------------------

@pytest.fixture
def superuser(db):
    return get_user_model().objects.create(username="calendar-admin", name="日历管理员", is_staff=True,
                                           is_superuser=True)


def admin_client(client, user):
    """A superuser signed in with a verified second factor (staff need one for every page)."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def year_form(year: int, days: list[tuple[str, str]], source: str = "国办发明电〔2026〕1号") -> dict[str, str]:
    data = {"year": str(year), "source": source, "days-TOTAL_FORMS": str(len(days)), "days-INITIAL_FORMS": "0",
            "days-MIN_NUM_FORMS": "0", "days-MAX_NUM_FORMS": "1000"}
    for i, (day, kind) in enumerate(days):
        data |= {f"days-{i}-date": day, f"days-{i}-kind": kind, f"days-{i}-name": "节日"}
    return data


def test_R5_administrator_enters_a_year_in_the_admin(fresh_calendar, superuser, client):
    c = admin_client(client, superuser)
    assert c.get(reverse("admin:core_calendaryear_add")).status_code == 200
    response = c.post(reverse("admin:core_calendaryear_add"),
                      year_form(2027, [("2027-01-01", "holiday"), ("2027-02-20", "workday")]))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CalendarDay.objects.filter(year_id=2027).count() == 2
    assert add_working_days(D(2026, 12, 30), 5) == D(2027, 1, 7)
    trail = AuditRecord.objects.get(action="core.calendar.year.save")
    assert trail.actor_id == superuser.pk
    assert trail.data["holidays"] == ["2027-01-01"] and trail.data["workdays"] == ["2027-02-20"]
    changelist = c.get(reverse("admin:core_calendaryear_changelist"))
    assert changelist.status_code == 200 and "节假日天数" in changelist.content.decode()


@pytest.mark.parametrize(("year", "days", "message"), [
    (2027, [("2028-01-01", "holiday")], "日期须在2027年内"),
    (2027, [("2027-01-04", "workday")], "调休上班日应为周六或周日"),
    (2026, [("2026-02-14", "workday")], "完全替代库中的安排"),
], ids=["day-outside-year", "workday-on-a-weekday", "library-year-without-holidays"])
def test_R5_admin_refuses_an_inconsistent_year(fresh_calendar, superuser, client, year, days, message):
    c = admin_client(client, superuser)
    response = c.post(reverse("admin:core_calendaryear_add"), year_form(year, days))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CalendarYear.objects.filter(year=year).exists()


def test_R5_year_is_read_only_once_entered(fresh_calendar, superuser, client):
    enter_year(2027, holidays=[D(2027, 1, 1)])
    c = admin_client(client, superuser)
    data = year_form(2030, [], source="改过的依据") | {"days-INITIAL_FORMS": "0"}
    response = c.post(reverse("admin:core_calendaryear_change", args=[2027]), data)
    assert response.status_code == 302
    assert list(CalendarYear.objects.values_list("year", "source")) == [(2027, "改过的依据")]


# --- read-only tables in the admin (ADR 0005) ----------------------------------------------------

@pytest.fixture
def read_only_rows(db):
    from tongban.core import audit

    record = audit.record("test.something", data={"x": 1})
    head, _ = AuditChainHead.objects.get_or_create(name="main")
    key = IdempotencyRecord.objects.create(key="k-1", caller="1", method="POST", path="/api/x", request_hash="h")
    return {"auditrecord": record.pk, "auditchainhead": head.pk, "idempotencyrecord": key.pk}


@pytest.mark.parametrize("model", ["auditrecord", "auditchainhead", "idempotencyrecord"])
def test_audit_tables_are_read_only_in_the_admin_even_for_superusers(superuser, client, read_only_rows, model):
    c = admin_client(client, superuser)
    pk = read_only_rows[model]
    assert c.get(reverse(f"admin:core_{model}_changelist")).status_code == 200
    view = c.get(reverse(f"admin:core_{model}_change", args=[pk]))
    assert view.status_code == 200 and 'type="submit"' not in view.content.decode().split("<form")[-1]
    assert c.get(reverse(f"admin:core_{model}_add")).status_code == 403
    assert c.post(reverse(f"admin:core_{model}_change", args=[pk]), {}).status_code == 403
    assert c.post(reverse(f"admin:core_{model}_delete", args=[pk]), {"post": "yes"}).status_code == 403
    changelist = c.post(reverse(f"admin:core_{model}_changelist"),
                        {"action": "delete_selected", "_selected_action": [pk], "post": "yes"})
    assert changelist.status_code in (200, 302, 403)
    model_class = {"auditrecord": AuditRecord, "auditchainhead": AuditChainHead,
                   "idempotencyrecord": IdempotencyRecord}[model]
    assert model_class.objects.filter(pk=pk).exists()


def test_audit_record_admin_shows_chinese_headings(superuser, client, read_only_rows):
    c = admin_client(client, superuser)
    page = c.get(reverse("admin:core_auditrecord_changelist")).content.decode()
    for heading in ("时间", "类别", "操作人", "对象编号", "链序号"):
        assert heading in page


def test_module_exposes_a_library_only_calendar():
    assert calendar_module.library_calendar().years == frozenset(range(2004, 2027))
