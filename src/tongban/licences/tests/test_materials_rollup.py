"""R12 materials avoided from the daily rollup (issue 6): for generated cases and materials over
past days, today and a month boundary, the report read from `MaterialDailyStat` plus live rows
equals the direct count for every filter and grouping and every persona — after a provision
changes on an old case and the refresh picks it up — and a day the rollup has not reached yet
still counts (no stale figures)."""

import datetime as dt
import itertools
import random

import pytest
from django.utils import timezone

from tongban.cases.models import Case, CaseMaterial, CaseStep
from tongban.catalog.models import Bundle, ServiceItem
from tongban.core import audit
from tongban.identity.constants import Role
from tongban.licences import stats
from tongban.licences.models import MaterialDailyStat, MaterialStatsMark
from tongban.testing import make_staff

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)
REGIONS = ("210200", "210202", "210202001", "210203")
DEPARTMENTS = ("health", "market")
GROUPINGS = ("", "department", "item", "region", "month")


def _at(days_ago: int, hour: int) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def _case(user, item, region, dept, at):
    """A case of `item`, or (None) of a bundle: a one-thing parent case has no item of its own."""
    bundle = None if item else Bundle.objects.order_by("pk").first()
    return Case.objects.create(number=f"MR-{next(_numbers)}", item=item, bundle=bundle, region_id=region,
                               department_id=dept, applicant=user, status="submitted", submitted_at=at)


def _generate(user, seed: int = 6, cases: int = 60) -> list[Case]:
    rng = random.Random(seed)
    items = {d: [*ServiceItem.objects.filter(department_id=d).order_by("code")[:2], None] for d in DEPARTMENTS}
    made = []
    for _ in range(cases):
        dept = rng.choice(DEPARTMENTS)
        # days 0..45 ago (today, yesterday, last month), hours 0 and 23: local-day edges in UTC
        case = _case(user, rng.choice(items[dept]), rng.choice(REGIONS), dept,
                     _at(rng.choice([0, 0, 1, 2, 3, 9, 20, 31, 45]), rng.choice([0, 7, 23])))
        for position in range(rng.randint(0, 4)):
            CaseMaterial.objects.create(case=case, position=position + 1, name=f"材料{position + 1}",
                                        source="applicant", provision=rng.choice(stats.PROVISIONS))
        made.append(case)
    # written an hour ago: only what the test changes later counts as touched (not the refresh's 5 s overlap)
    Case.objects.filter(pk__in=[c.pk for c in made]).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    return made


def _filters(today: dt.date) -> list[dict]:
    item = ServiceItem.objects.filter(department_id="health").order_by("code").values_list("code", flat=True).first()
    ago = lambda n: (today - dt.timedelta(days=n)).isoformat()  # noqa: E731
    return [{}, {"date_from": ago(20)}, {"date_to": ago(2)}, {"date_from": ago(31), "date_to": ago(1)},
            {"date_from": today.isoformat()}, {"date_from": ago(3), "date_to": ago(3)}, {"region": "210202"},
            {"department": "health"}, {"item": item}, {"region": "210202", "department": "market", "date_from": ago(9)}]


def _all_equal_quietly(user) -> bool:
    return all(stats.materials(user, group_by=g) == stats.materials(user, group_by=g, direct=True) for g in GROUPINGS)


def _all_equal(users) -> int:
    checked = 0
    for user in users:
        for filters in _filters(timezone.localdate()):
            for group_by in GROUPINGS:
                rolled = stats.materials(user, group_by=group_by, **filters)
                direct = stats.materials(user, group_by=group_by, direct=True, **filters)
                assert rolled == direct, (user.username, filters, group_by)
                checked += 1
    return checked


@pytest.fixture
def personas(cast, catalog):
    district_head = make_staff("head-zs-materials", Role.HEAD, "market", "210202")
    return [cast.admin, cast.supervisor, cast.head, district_head]


def test_R12_rollup_equals_direct_count_for_every_filter_and_grouping(cast, personas):
    cases = _generate(cast.citizen)
    stats.refresh_touched()
    assert MaterialDailyStat.objects.exists()
    through = MaterialStatsMark.objects.get(name=stats.MARK).summarised_through
    assert through == timezone.localdate() - dt.timedelta(days=1)
    assert _all_equal(personas) == len(personas) * 10 * len(GROUPINGS)
    # the totals are the materials themselves
    assert stats.materials(cast.admin)["total"] == CaseMaterial.objects.filter(case__in=cases).count()

    # a provision changes on an old case, with its step (as fetching, acceptance and correction do)
    old = next(c for c in cases if c.materials.exists() and timezone.localtime(c.submitted_at).date() < through)
    material = old.materials.order_by("position").first()
    new = "fetched" if material.provision != "fetched" else "uploaded"
    CaseMaterial.objects.filter(pk=material.pk).update(provision=new)
    CaseStep.objects.create(case=old, at=timezone.now(), actor_label="测试", action="fetch", status=old.status)
    # and another on an old case saved (updated_at) without a step
    other = next(c for c in cases if c.pk != old.pk and c.materials.exists()
                 and timezone.localtime(c.submitted_at).date() < through)
    other.materials.update(provision="reused")
    other.save(update_fields=["updated_at"])
    # and a third with only its audit record (as a file upload turns a material `uploaded`)
    third = next(c for c in cases if c.pk not in (old.pk, other.pk) and c.materials.exists()
                 and timezone.localtime(c.submitted_at).date() < through
                 and timezone.localtime(c.submitted_at).date() != timezone.localtime(other.submitted_at).date()
                 and timezone.localtime(c.submitted_at).date() != timezone.localtime(old.submitted_at).date())
    third.materials.update(provision="missing" if third.materials.first().provision == "uploaded" else "uploaded")
    audit.record("cases.attach-file", obj=third, subject_id=third.applicant_id, data={"number": third.number})
    assert not _all_equal_quietly(cast.admin)  # stale until the refresh
    stats.refresh_touched()
    assert _all_equal(personas)
    assert stats.materials(cast.admin)["total"] == CaseMaterial.objects.filter(case__in=cases).count()


def test_R12_report_reads_the_rollup_for_summarised_days(cast, personas):
    _generate(cast.citizen, seed=7, cases=30)
    stats.refresh_touched()
    before = stats.materials(cast.admin)
    row = MaterialDailyStat.objects.order_by("day").first()
    MaterialDailyStat.objects.filter(pk=row.pk).update(n=row.n + 1000)  # the report must read it
    assert stats.materials(cast.admin)["total"] == before["total"] + 1000
    assert stats.materials(cast.admin, direct=True)["total"] == before["total"]


def test_R12_unrefreshed_days_still_count(cast, personas):
    """The rollup last ran five days ago: the days since, and today, are counted live."""
    cases = _generate(cast.citizen, seed=8, cases=40)
    stats.refresh_touched(now=timezone.now() - dt.timedelta(days=5))
    mark = MaterialStatsMark.objects.get(name=stats.MARK)
    assert mark.summarised_through == timezone.localdate() - dt.timedelta(days=6)
    assert not MaterialDailyStat.objects.filter(day__gt=mark.summarised_through).exists()
    # new cases on days the rollup has not reached, and today
    late = [_case(cast.citizen, None, "210202", "market", _at(n, 12)) for n in (0, 1, 3)]
    for case in late:
        CaseMaterial.objects.create(case=case, position=1, name="材料1", source="applicant", provision="reused")
    answer = stats.materials(cast.admin)
    assert answer["total"] == CaseMaterial.objects.filter(case__in=cases + late).count()
    assert answer == stats.materials(cast.admin, direct=True)
    assert _all_equal(personas)


def test_R12_never_run_rollup_counts_everything_live(cast, personas):
    cases = _generate(cast.citizen, seed=9, cases=20)
    assert not MaterialStatsMark.objects.exists()
    assert stats.materials(cast.admin)["total"] == CaseMaterial.objects.filter(case__in=cases).count()
