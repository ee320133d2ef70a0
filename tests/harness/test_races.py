"""`tongban.harness.concurrency.run_concurrently` applied to an existing action: two editors
publish the same catalogue item at once → one new version and one Conflict (PostgreSQL only).

The threads commit for real, so the test is transactional; like the catalogue's own race test,
only the core and catalogue tables are flushed afterwards (the catalogue is loaded again) and
the users it made are removed by hand."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from tongban.catalog import actions
from tongban.catalog.models import ItemVersion, ServiceItem
from tongban.core.errors import Conflict
from tongban.harness.concurrency import run_concurrently
from tongban.identity.constants import Role
from tongban.identity.models import User
from tongban.testing import make_staff

POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def editors(_catalog_once):
    people = [make_staff(f"harness-race-{n}", Role.OFFICER, "market", "210200") for n in (1, 2)]
    yield people
    # versions keep their publisher (PROTECT); the catalogue goes with the flush right after and
    # the `catalog_loaded` fixtures load it again when they find it empty
    ItemVersion.objects.filter(published_by__in=people).update(published_by=None)
    User.objects.filter(pk__in=[p.pk for p in people]).delete()


@pytest.mark.skipif(not POSTGRES, reason="row locks and real concurrency are PostgreSQL's")
@pytest.mark.django_db(transaction=True, available_apps=["tongban.core", "tongban.catalog"])
def test_two_editors_publishing_at_once_make_one_version(editors):
    from tongban.catalog import demo

    if not ServiceItem.objects.exists():
        demo.load()
    item = ServiceItem.objects.get(code="SCJG-XK-008")
    before = ItemVersion.objects.filter(item=item).count()

    def publish(i: int):
        return actions.publish_item(editors[i], item, changes={"keywords": [f"并发{i}"]},
                                    effective_date=timezone.localdate(), summary=f"并发{i}",
                                    base_version=item.version)

    outcomes = run_concurrently(publish, 2)
    assert sorted(o.ok for o in outcomes) == [False, True], outcomes
    assert isinstance(next(o.error for o in outcomes if not o.ok), Conflict)
    assert ItemVersion.objects.filter(item=item).count() == before + 1


def test_run_concurrently_returns_every_outcome_in_order():
    def fn(i: int):
        if i == 1:
            raise ValueError("second")
        return i * 10

    outcomes = run_concurrently(fn, 3)
    assert [o.value for o in outcomes] == [0, None, 20]
    assert isinstance(outcomes[1].error, ValueError)
