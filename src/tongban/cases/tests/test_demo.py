"""Demo cases: every state of this slice, for the demo accounts, loaded once."""

import pytest

from tongban.cases import clocks, demo
from tongban.cases.models import Case
from tongban.catalog import demo_licences
from tongban.identity import demo as identity_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_people(catalog):
    from tongban.identity.models import Enterprise, User

    accounts = identity_demo.demo_accounts()
    for a in accounts:  # the demo's people and staff (the organisation is loaded already)
        if a.is_staff and a.role == "officer":
            from tongban.testing import make_staff

            make_staff(a.username, a.role, a.department, a.region)
    for name, region, birth, seq, phone in [*identity_demo.CITIZENS, identity_demo.AGENT]:
        from tongban.testing import make_person

        make_person(name, identity_demo.make_id_number(region, birth, seq), phone)
    agent = User.objects.get(username=identity_demo.make_id_number(*identity_demo.AGENT[1:4]))
    enterprise = Enterprise.objects.create(
        uscc=identity_demo.make_uscc(identity_demo.DEMO_ENTERPRISE["region"], identity_demo.DEMO_ENTERPRISE["org"]),
        name=identity_demo.DEMO_ENTERPRISE["name"], legal_representative=agent.name, region_id="210202")
    enterprise.memberships.create(user=agent, role="legal_rep", status="active")
    demo_licences.load()


def test_demo_cases_cover_the_states_and_load_once(demo_people):
    filed = demo.load()
    assert filed == 11
    assert demo.load() == 0
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"submitted", "correction", "accepted", "approved", "rejected", "withdrawn", "in_progress"} <= statuses
    states = {clocks.reading(c)["state"] for c in Case.objects.filter(status="accepted")}
    assert {"overdue", "warned"} <= states
    assert Case.objects.filter(status="accepted", promise__isnull=False).exists()
    submitted = Case.objects.filter(status="submitted", item__code="WJW-XK-004").get()
    assert submitted.materials.get(name="申请人居民身份证").provision == "fetched"  # R12 with the demo licences
