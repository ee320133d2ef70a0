"""Aggregation property (issue 9 item 8): for random histories of cases and reviews over past
days — including late changes to past days after a refresh — the incrementally refreshed daily
summaries equal a direct computation over the raw rows, and the overview read from summaries
plus live rows equals the all-live overview."""

import datetime as dt
import itertools
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.cases.models import Case
from tongban.catalog.models import ServiceItem
from tongban.oversight import stats
from tongban.oversight.models import DailyStat, MonthlyStat, StatsWatermark
from tongban.reviews.models import Review

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)

EVENT = st.tuples(st.integers(1, 6), st.sampled_from(["online", "window"]), st.sampled_from(["health", "market"]),
                  st.one_of(st.none(), st.integers(1, 5)))
LATE = st.lists(st.tuples(st.integers(1, 6), st.integers(1, 5), st.booleans()), max_size=3)


def _at(days_ago: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


def _case(user, items, days_ago, channel, dept):
    item = items[dept]
    return Case.objects.create(number=f"P-{next(_numbers)}", item=item, region_id="210200", department_id=dept,
                               applicant=user, channel=channel, status="submitted", submitted_at=_at(days_ago))


def _review(user, case, days_ago, level, excluded=False):
    Review.objects.create(case=case, reviewer=user, level=level, channel="portal", department_id=case.department_id,
                          region_id=case.region_id, created_at=_at(days_ago), excluded=excluded)


def _figures(*args) -> dict:
    """The overview's figures (without `as_of`, the moment its rows were read)."""
    out = stats.overview(*args)
    del out["as_of"]
    return out


def _summaries_match_direct():
    today = timezone.localdate()
    first = today - dt.timedelta(days=8)
    raw = stats.direct(first, today - dt.timedelta(days=1))
    expected = {k: {m: c[m] for m in stats.METRICS} for k, c in raw.items() if any(c.values())}
    got = {(r.day, r.region, r.department, r.item, r.channel): {m: getattr(r, m) for m in stats.METRICS}
           for r in DailyStat.objects.filter(day__gte=first)}
    assert got == expected


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(history=st.lists(EVENT, min_size=1, max_size=6), late=LATE)
def test_incremental_summaries_equal_direct_computation(cast, catalog, history, late):
    items = {d: ServiceItem.objects.filter(department_id=d).order_by("code").first() for d in ("health", "market")}
    with transaction.atomic():
        cases = []
        for days_ago, channel, dept, level in history:
            case = _case(cast.citizen, items, days_ago, channel, dept)
            cases.append(case)
            if level:
                _review(cast.citizen, case, days_ago, level)
        stats.refresh_touched()
        _summaries_match_direct()
        live = _figures(timezone.localdate() - dt.timedelta(days=8), timezone.localdate(), None)
        # late changes to past days: new reviews of old days, an exclusion
        StatsWatermark.objects.filter(name=stats.WATERMARK).update(changes_since=timezone.now())
        for days_ago, level, exclude in late:
            case = _case(cast.other_citizen, items, days_ago + 1, "online", "health")
            _review(cast.other_citizen, case, days_ago, level)
            if exclude:
                Review.objects.filter(case=cases[0]).update(excluded=True, updated_at=timezone.now())
        stats.refresh_touched()
        _summaries_match_direct()
        if not late:
            assert _figures(timezone.localdate() - dt.timedelta(days=8), timezone.localdate(), None) == live
        transaction.set_rollback(True)


SPREAD = st.tuples(st.integers(1, 80), st.sampled_from(["online", "window"]), st.sampled_from(["health", "market"]),
                   st.one_of(st.none(), st.integers(1, 5)))


def _ranges(today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Whole months, parts of months at either end, a range inside one month, up to today."""
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    before = (last_month - dt.timedelta(days=1)).replace(day=1)
    return [(today - dt.timedelta(days=80), today), (before, this_month - dt.timedelta(days=1)),
            (before + dt.timedelta(days=9), today - dt.timedelta(days=1)), (last_month, last_month),
            (last_month + dt.timedelta(days=3), last_month + dt.timedelta(days=20)), (before, today)]


def _from_raw_rows(today: dt.date) -> dict:
    """Every range's overview with no day counted as summarised (all from the raw rows)."""
    mark = StatsWatermark.objects.filter(name=stats.WATERMARK).first()
    kept = mark.summarised_through if mark else None
    StatsWatermark.objects.filter(name=stats.WATERMARK).update(summarised_through=None)
    out = {r: _figures(*r, None) for r in _ranges(today)}
    StatsWatermark.objects.filter(name=stats.WATERMARK).update(summarised_through=kept)
    return out


def _rollup_matches_daily_sum() -> None:
    summed: dict[tuple, Counter] = defaultdict(Counter)
    for r in DailyStat.objects.all():
        summed[(r.day.replace(day=1), r.region, r.department, r.item)].update(
            {m: getattr(r, m) for m in stats.METRICS})
    rolled = {(r.month, r.region, r.department, r.item): +Counter({m: getattr(r, m) for m in stats.METRICS})
              for r in MonthlyStat.objects.all()}
    assert rolled == {k: +c for k, c in summed.items()}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(history=st.lists(SPREAD, min_size=1, max_size=8), late=st.lists(st.integers(1, 80), max_size=2))
def test_R28_monthly_rollup_equals_the_daily_sum_and_the_overview_is_unchanged(cast, catalog, history, late):
    """The monthly rollup is the sum of its month's daily rows (also after late changes to past
    days, refreshed incrementally), and every overview read through it — whole months, parts of
    months, one day — equals the overview computed from the raw rows alone."""
    items = {d: ServiceItem.objects.filter(department_id=d).order_by("code").first() for d in ("health", "market")}
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    with transaction.atomic():
        for days_ago, channel, dept, level in history:
            case = _case(cast.citizen, items, days_ago, channel, dept)
            if level:
                _review(cast.citizen, case, days_ago, level)
        live = _from_raw_rows(today)
        stats.refresh_touched()
        _rollup_matches_daily_sum()
        in_last_month = any(last_month <= today - dt.timedelta(days=d) < today.replace(day=1) for d, *_ in history)
        assert MonthlyStat.objects.filter(month=last_month).exists() == in_last_month
        for r, expected in live.items():
            assert _figures(*r, None) == expected, r
        if late:  # late changes to past days: the incremental refresh rewrites their days and months
            StatsWatermark.objects.filter(name=stats.WATERMARK).update(changes_since=timezone.now())
            for days_ago in late:
                case = _case(cast.other_citizen, items, days_ago, "window", "market")
                _review(cast.other_citizen, case, days_ago, 2)
            live = _from_raw_rows(today)
            stats.refresh_touched()
            _rollup_matches_daily_sum()
            for r, expected in live.items():
                assert _figures(*r, None) == expected, r
        transaction.set_rollback(True)


def test_R7_decided_days_and_visits_equal_each_cases_own_clock_and_visits(cast, catalog):
    """`direct` reads decisions as plain values and only the legal clock: its days used (pauses
    not counted, R7), days promised and visits equal, per key, the sum of `clocks.reading` and
    `stats.visits_of` over the same cases."""
    from tongban.cases import clocks
    from tongban.cases.models import CaseClockEvent
    from tongban.reviews.models import WindowVisit

    items = {d: ServiceItem.objects.filter(department_id=d).order_by("code").first() for d in ("health", "market")}
    today = timezone.localdate()
    cases = []
    for n, (days_ago, channel, dept, unit) in enumerate([(9, "online", "health", "working"),
                                                         (12, "window", "market", "calendar"),
                                                         (20, "window", "health", "working"),
                                                         (5, "online", "market", "working")]):
        case = _case(cast.citizen, items, days_ago, channel, dept)
        decided = _at(days_ago - 4)
        Case.objects.filter(pk=case.pk).update(status="approved", decided_at=decided, legal_days=10 + n,
                                               legal_days_unit=unit, promised_days=5 + n)
        start = timezone.localdate(case.submitted_at)
        events = [("start", start)]
        if n % 2 == 0:  # a pause of two days (a correction), then the clock resumes
            events += [("pause", start + dt.timedelta(days=1)), ("resume", start + dt.timedelta(days=3))]
        for kind, on in events:
            CaseClockEvent.objects.create(case=case, kind=kind, on=on, at=timezone.now())
        if n != 3:  # visits: one on the filing day (the same day counts once), one two days later
            for later in (0, 2):
                WindowVisit.objects.create(case=case, item=case.item, region_id="210200", department_id=dept,
                                           staff=cast.window, at=case.submitted_at + dt.timedelta(days=later))
        cases.append(Case.objects.get(pk=case.pk))
    out = stats.direct(today - dt.timedelta(days=40), today)
    expected: dict[tuple, Counter] = defaultdict(Counter)
    for case in cases:
        day = timezone.localdate(case.decided_at)
        c = expected[(day, case.region_id, case.department_id, case.item.code, case.channel)]
        visits = stats.visits_of(case)
        c.update({"decided": 1, "days_used": clocks.reading(case, day)["days_used"],
                  "days_promised": case.promised_days, "visits": visits, "visits_zero": int(visits == 0),
                  "visits_le_one": int(visits <= 1)})
    decided = {k: Counter({m: v for m, v in c.items() if m in expected[k]}) for k, c in out.items() if c["decided"]}
    assert decided == expected
    assert sum(c["days_used"] for c in expected.values()) > 0
