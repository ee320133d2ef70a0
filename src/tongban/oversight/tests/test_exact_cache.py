"""R28 statistics, the exact cache of the cube (stats.cube / stats.state): a cached overview is
one query, and it is never behind the raw rows — after a filing, an acceptance, a decision, a
review, a clock event or a summary refresh the cached figures equal the direct computation
(`stats.compute`) and the direct counts of the cases."""

import datetime as dt
from collections import Counter

import pytest
from django.core.cache import cache
from django.utils import timezone

from tongban.cases import actions as case_actions
from tongban.cases.constants import OPEN, Status
from tongban.cases.models import Case
from tongban.oversight import stats
from tongban.oversight.actions import refresh_statistics
from tongban.reviews.tests.conftest import ITEM, decided_case
from tongban.testing import api_client

from .helpers import post

pytestmark = pytest.mark.django_db


def _range():
    today = timezone.localdate()
    return today - dt.timedelta(days=30), today


def _totals(cells) -> Counter:
    total: Counter = Counter()
    for c in cells.values():
        total.update(c)
    return total


def _assert_exact():
    """The cube read through the cache equals the one computed from the raw rows now, and its
    backlog, filings and decisions equal plain counts of the cases."""
    first, last = _range()
    start, end = stats._bounds(first, last)
    cached = stats.cube(first, last, None)
    assert cached == stats.compute(first, last, None)
    total = _totals(cached)
    assert total["backlog"] == Case.objects.filter(status__in=sorted(OPEN), item__isnull=False).count()
    assert total["filed"] == Case.objects.filter(item__isnull=False, submitted_at__gte=start,
                                                 submitted_at__lt=end).count()
    assert total["decided"] == Case.objects.filter(status__in=stats.DECIDED, decided_at__gte=start,
                                                   decided_at__lt=end).count()
    return total


def test_R28_cached_cube_is_one_query_when_nothing_changed(cast, approved, django_assert_num_queries):
    first, last = _range()
    computed = stats.cube(first, last, None)
    with django_assert_num_queries(1):
        assert stats.cube(first, last, None) == computed
    health = stats.cube(first, last, ["210200"], "health")
    assert health == stats.compute(first, last, ["210200"], "health")
    with django_assert_num_queries(1):
        assert stats.cube(first, last, ["210200"], "health") == health


def test_R28_cached_cube_equals_direct_count_across_case_transitions(cast, catalog, health_officer):
    """Each step of a case's life changes the figures; the cube read right after each step (the
    previous state still cached) equals the direct computation."""
    before = _assert_exact()
    case = case_actions.submit(cast.citizen, item=ITEM, region="210200")
    after_filing = _assert_exact()
    assert after_filing["filed"] == before["filed"] + 1 and after_filing["backlog"] == before["backlog"] + 1
    case_actions.accept(health_officer, case)
    _assert_exact()
    case.refresh_from_db()
    case_actions.approve(health_officer, case)
    decided = _assert_exact()
    assert decided["decided"] == before["decided"] + 1 and decided["backlog"] == before["backlog"]
    case.refresh_from_db()
    assert case.status == Status.APPROVED


def test_R28_cached_overview_counts_a_review_and_a_withdrawal_at_once(cast, catalog, health_officer):
    """Over the API: the overview is cached, then a review and a withdrawal change it — the next
    answer has them."""
    approved = decided_case(cast.citizen, health_officer)
    pending = case_actions.submit(cast.citizen, item=ITEM, region="210200")
    client = api_client(cast.supervisor)
    first = next(d for d in client.get("/api/stats/overview").json()["departments"] if d["id"] == "health")
    assert first["backlog"] == 1 and first["reviews_total"] == 0
    assert post(api_client(cast.citizen), "/api/reviews", {"case": approved.number, "level": 2}).status_code == 201
    case_actions.withdraw(cast.citizen, pending)
    second = next(d for d in client.get("/api/stats/overview").json()["departments"] if d["id"] == "health")
    assert second["reviews"]["2"] == 1 and second["backlog"] == 0
    _assert_exact()


def test_R28_cached_cube_follows_the_summary_refresh_and_a_new_day(cast, approved):
    first, last = _range()
    live = stats.cube(first, last, None)
    refresh_statistics()  # summary rows written, the watermark moves: a new key, the same figures
    assert stats.cube(first, last, None) == live == stats.compute(first, last, None)
    # a range ending tomorrow is another key (today is part of every key: overdue changes at midnight)
    assert stats.cube(first, last + dt.timedelta(days=1), None) == stats.compute(first, last + dt.timedelta(days=1),
                                                                                 None)


def test_R28_a_fresh_change_is_kept_only_briefly(cast, approved, monkeypatch):
    """A change younger than SETTLE: the entry lives SETTLE seconds (a transaction committing late
    with an older time is still counted soon); an older newest change: KEEP."""
    kept = []
    real_set = cache.set_many
    monkeypatch.setattr(stats.cache, "set_many", lambda values, timeout=None: kept.append(timeout)
                        or real_set(values, timeout))
    first, last = _range()
    stats.cube(first, last, None)
    assert kept == [stats.SETTLE]
    Case.objects.update(updated_at=timezone.now() - dt.timedelta(seconds=stats.SETTLE + 5))
    from tongban.reviews.models import Rectification, Review

    Review.objects.update(updated_at=timezone.now() - dt.timedelta(seconds=stats.SETTLE + 5))
    Rectification.objects.update(updated_at=timezone.now() - dt.timedelta(seconds=stats.SETTLE + 5))
    stats.cube(first, last, None)
    assert kept == [stats.SETTLE, stats.KEEP]


def test_R28_a_reader_during_anothers_recomputation_gets_the_previous_cube_with_its_time(
        cast, catalog, health_officer, monkeypatch):
    """While another process recomputes (its lock held), a reader is answered at once with the
    previous cube and the moment it was read — never older than MAX_STALE; past that it waits
    for, or makes, the exact one. A lone reader always gets the exact cube."""
    first, last = _range()
    before, read_at = stats.cube_as_of(first, last, None)
    case_actions.submit(cast.citizen, item=ITEM, region="210200")
    _, _, computing = stats._cache_keys(first, last, None, None, stats.state()[1])
    assert cache.add(computing, 1, 60)  # another process is computing the new state
    try:
        stale, as_of = stats.cube_as_of(first, last, None)
        assert stale == before and as_of == read_at
        assert _totals(stale)["filed"] == _totals(stats.compute(first, last, None))["filed"] - 1
        monkeypatch.setattr(stats, "MAX_STALE", 0)
        monkeypatch.setattr(stats, "COMPUTING", 0.2)  # the other computation never finishes
        exact, as_of = stats.cube_as_of(first, last, None)
        assert exact == stats.compute(first, last, None) and as_of > read_at
    finally:
        cache.delete(computing)
    assert stats.cube_as_of(first, last, None)[0] == stats.compute(first, last, None)  # the lone reader


def test_R28_the_overview_says_when_its_rows_were_read(cast, approved):
    body = api_client(cast.supervisor).get("/api/stats/overview").json()
    read = dt.datetime.fromisoformat(body["as_of"])
    assert abs((timezone.now() - read).total_seconds()) < 60
