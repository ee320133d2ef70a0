"""Two editors publish the same item at once: exactly one new version, the other gets 409.

The threads commit for real, so the test is transactional; when it ends only the core and
catalogue tables are flushed (the catalogue is loaded again when the module ends) and the
users it made are removed by hand."""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from tongban.catalog import actions
from tongban.catalog.models import ItemVersion, ServiceItem
from tongban.core.errors import Conflict
from tongban.identity.constants import Role
from tongban.identity.models import User
from tongban.testing import make_staff

POSTGRES = connection.vendor == "postgresql"


@pytest.fixture(scope="module", autouse=True)
def _reload_catalogue_after_the_flush(django_db_blocker):
    yield
    from tongban.catalog import demo

    with django_db_blocker.unblock():
        demo.load()


@pytest.fixture
def two_editors():
    editors = [make_staff(f"race-editor-{n}", Role.OFFICER, "market", "210200") for n in (1, 2)]
    yield editors
    # versions keep their publisher (PROTECT); these go with the flush right after
    ItemVersion.objects.filter(published_by__in=editors).update(published_by=None)
    User.objects.filter(pk__in=[e.pk for e in editors]).delete()


@pytest.mark.skipif(not POSTGRES, reason="row locks and real concurrency are PostgreSQL's")
@pytest.mark.django_db(transaction=True, available_apps=["tongban.core", "tongban.catalog"])
def test_two_editors_publishing_at_once_make_one_version(catalog, two_editors):
    item = ServiceItem.objects.get(code="SCJG-XK-008")
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def edit(editor, keyword):
        try:
            barrier.wait()
            outcomes.append(actions.publish_item(editor, item, changes={"keywords": [keyword]},
                                                 effective_date=timezone.localdate(), summary=keyword,
                                                 base_version=1))
        except Conflict as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(e, f"关键词{n}")) for n, e in enumerate(two_editors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "ItemVersion"]
    assert ItemVersion.objects.filter(item=item).count() == 2
    assert ServiceItem.objects.get(pk=item.pk).version == 2
