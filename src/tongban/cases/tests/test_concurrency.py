"""Real threads on PostgreSQL: two officers approving at once → one 200 and one 409; filings
at once get unique, gapless numbers; parallel repeats of one Idempotency-Key make one case.

The threads commit for real, so these tests are transactional: only the core, catalogue and
cases tables are flushed afterwards (the catalogue is loaded again by `catalog`), and the
people made here are removed by hand."""

import json
import threading
import uuid

import pytest
from django.db import connection, connections
from django.http import HttpResponse
from django.test import RequestFactory

from tongban.cases import actions
from tongban.cases.api import CaseIn, file_case
from tongban.cases.models import Case
from tongban.core.errors import Conflict
from tongban.identity.constants import Role
from tongban.identity.demo import make_id_number
from tongban.identity.models import ApiToken, InboxMessage, SmsMessage, StaffRole, User
from tongban.testing import make_person, make_staff

from .conftest import ITEM

POSTGRES = connection.vendor == "postgresql"
pytestmark = [
    pytest.mark.skipif(not POSTGRES, reason="row locks and real concurrency are PostgreSQL's"),
    pytest.mark.django_db(transaction=True, available_apps=["tongban.core", "tongban.catalog", "tongban.cases"]),
]


@pytest.fixture(scope="module", autouse=True)
def _reload_catalogue_after_the_flush(django_db_blocker):
    yield
    from tongban.catalog import demo

    with django_db_blocker.unblock():
        demo.load()


@pytest.fixture
def people(catalog):
    citizen = make_person("并发测试", make_id_number("210202", "19800101", 901), "13700000901")
    officer = make_staff("race-officer-health", Role.OFFICER, "health", "210200")
    yield citizen, officer
    # identity is not flushed (its regions stay loaded), so what was made here goes by hand —
    # the licences the approvals issued first (the library keeps its source case)
    from tongban.licences.models import Licence, LicenceVersion, VaultEntry  # a test's cleanup, not app code

    VaultEntry.objects.filter(source_case__applicant=citizen).delete()
    licences = Licence.objects.filter(source_case__applicant=citizen)
    LicenceVersion.objects.filter(licence__in=licences).delete()
    licences.delete()
    Case.objects.filter(applicant=citizen).delete()
    users = [citizen.pk, officer.pk]
    InboxMessage.objects.filter(user__in=users).delete()  # the notices delivered to the message centre
    SmsMessage.objects.filter(phone=citizen.phone).delete()
    ApiToken.objects.filter(user__in=users).delete()
    StaffRole.objects.filter(user__in=users).delete()
    User.objects.filter(pk__in=users).delete()


def _run_together(fn, n):
    barrier = threading.Barrier(n)
    results = []

    def run(i):
        try:
            barrier.wait()
            results.append(fn(i))
        except Exception as exc:  # surfaced in the assertion, never lost in the thread
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_officers_approving_at_once_exactly_one_wins(people):
    """The action itself (the API maps its Conflict to 409, test_api_flow): the loser's
    guarded UPDATE waits for the winner's row lock, then matches no row."""
    citizen, officer = people
    case = actions.submit(citizen, item=ITEM, region="210200")
    actions.accept(officer, case)
    copies = [Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)]  # both read "accepted", same version
    outcomes = _run_together(lambda i: actions.approve(officer, copies[i]), 2)
    assert sorted(type(o).__name__ for o in outcomes) == ["Case", "Conflict"]
    case.refresh_from_db()
    assert case.status == "approved"
    assert case.steps.filter(action="approve").count() == 1
    assert case.clock_events.filter(kind="stop").count() == 1
    assert case.notices.filter(kind="approval").count() == 1


def test_concurrent_filings_get_unique_numbers(people):
    citizen, _ = people
    numbers = _run_together(lambda i: actions.submit(citizen, item=ITEM, region="210200").number, 12)
    assert len(numbers) == len(set(numbers)) == 12
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(1, 13))


def test_parallel_repeats_of_one_idempotency_key_make_one_case(people):
    """The API operation behind its `idempotent` wrapper, called by four threads at once."""
    citizen, _ = people
    key = str(uuid.uuid4())
    body = {"item": ITEM, "region": "210200"}

    def send(_):
        request = RequestFactory().post("/api/cases", data=json.dumps(body), content_type="application/json",
                                        HTTP_IDEMPOTENCY_KEY=key)
        request.auth = request.user = citizen
        try:
            result = file_case(request, payload=CaseIn(**body))
        except Conflict:  # the first is still running: 409
            return 409
        if isinstance(result, HttpResponse):  # a replay of the first answer
            assert result["Idempotent-Replayed"] == "true"
            return result.status_code
        return result[0]

    statuses = _run_together(send, 4)
    assert set(statuses) <= {201, 409} and 201 in statuses, statuses
    assert Case.objects.filter(applicant=citizen).count() == 1
