"""Acting for an enterprise: an explicit switch, only with an active authorisation, and every
record written meanwhile names the enterprise."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from tongban.core.errors import Conflict, NotFound
from tongban.core.models import AuditRecord
from tongban.identity import actions
from tongban.identity.models import EnterpriseMembership

pytestmark = pytest.mark.django_db


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def switch(client: Client, uscc: str = ""):
    return client.post("/accounts/me/acting/", {"uscc": uscc})


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def create_token(client: Client, name: str) -> AuditRecord:
    """Do something that is audited, through the page, and return its audit record."""
    assert client.post("/accounts/me/tokens/", {"name": name, "days": 1}).status_code == 200
    return AuditRecord.objects.filter(action="identity.token.create").latest("id")


def request_as_citizen(cast) -> EnterpriseMembership:
    return actions.request_enterprise(cast.citizen, uscc=cast.enterprise.uscc, name=cast.enterprise.name,
                                      legal_representative="王建国")


def test_records_written_while_acting_for_the_enterprise_name_it(cast):
    uscc = cast.enterprise.uscc
    client = browser_for(cast.agent)
    assert create_token(client, "个人").on_behalf_of == ""

    response = switch(client, uscc)
    assert response.status_code == 302
    assert client.session["acting_for"] == uscc
    assert any("大连海韵餐饮有限公司" in t for t in texts(response))
    switched = AuditRecord.objects.get(action="identity.acting.enterprise")
    assert switched.actor_id == cast.agent.pk and switched.data == {"uscc": uscc}

    record = create_token(client, "企业")
    assert record.on_behalf_of == uscc
    assert record.actor_id == cast.agent.pk
    assert client.get("/api/me").json()["acting_for"] == uscc
    assert f"代表企业 {uscc}" in client.get("/accounts/me/").content.decode()

    # Back to oneself: later records carry no enterprise.
    response = switch(client, "")
    assert response.status_code == 302
    assert "acting_for" not in client.session
    assert create_token(client, "又是个人").on_behalf_of == ""
    assert client.get("/api/me").json()["acting_for"] is None


def test_citizen_without_authorisation_cannot_switch(cast):
    client = browser_for(cast.citizen)
    response = switch(client, cast.enterprise.uscc)
    assert response.status_code == 302
    assert "您未获授权代表该企业办事" in texts(response)
    assert "acting_for" not in client.session
    assert create_token(client, "x").on_behalf_of == ""
    assert not AuditRecord.objects.filter(action="identity.acting.enterprise").exists()


def test_pending_request_cannot_be_used_until_the_legal_representative_approves(cast):
    membership = request_as_citizen(cast)
    assert membership.status == EnterpriseMembership.Status.PENDING
    client = browser_for(cast.citizen)
    switch(client, cast.enterprise.uscc)
    assert "acting_for" not in client.session

    # Another citizen cannot decide it — it does not exist for them.
    with pytest.raises(NotFound):
        actions.decide_membership(cast.other_citizen, membership, approve=True)
    # Nor can the applicant approve their own request.
    with pytest.raises(NotFound):
        actions.decide_membership(cast.citizen, membership, approve=True)
    membership.refresh_from_db()
    assert membership.status == EnterpriseMembership.Status.PENDING

    decided = actions.decide_membership(cast.agent, membership, approve=True)
    assert decided.status == EnterpriseMembership.Status.ACTIVE
    assert AuditRecord.objects.filter(action="identity.enterprise.approve", subject_id=cast.citizen.pk).exists()
    with pytest.raises(Conflict):
        actions.decide_membership(cast.agent, membership, approve=False)

    switch(client, cast.enterprise.uscc)
    assert client.session["acting_for"] == cast.enterprise.uscc
    assert create_token(client, "代办").on_behalf_of == cast.enterprise.uscc


def test_refused_request_cannot_be_used(cast):
    membership = request_as_citizen(cast)
    actions.decide_membership(cast.agent, membership, approve=False)
    client = browser_for(cast.citizen)
    switch(client, cast.enterprise.uscc)
    assert "acting_for" not in client.session


def test_administrator_may_decide_a_request(cast):
    membership = request_as_citizen(cast)
    assert actions.decide_membership(cast.admin, membership, approve=True).status == "active"


def test_account_page_offers_the_switch_only_for_active_authorisations(cast):
    request_as_citizen(cast)
    page = browser_for(cast.citizen).get("/accounts/me/").content.decode()
    assert "待确认" in page
    assert "切换为代表该企业" not in page
    page = browser_for(cast.agent).get("/accounts/me/").content.decode()
    assert "切换为代表该企业" in page


@pytest.mark.parametrize("uscc", ["X" * 5000, "91210202MA0TB0018!", "'; DROP TABLE x; --", "\x00", " "])
def test_garbage_uscc_is_a_message_not_a_server_error(cast, uscc):
    client = browser_for(cast.agent)
    response = switch(client, uscc)
    assert response.status_code == 302
    assert "acting_for" not in client.session


def test_switch_needs_post_and_a_login(cast):
    assert browser_for(cast.agent).get("/accounts/me/acting/").status_code == 405
    anonymous = Client().post("/accounts/me/acting/", {"uscc": cast.enterprise.uscc})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_revoked_authorisation_ends_acting_on_the_next_request(cast):
    """A session switched to an enterprise stops acting for it as soon as the authorisation is
    withdrawn — no stale identity until logout."""
    membership = request_as_citizen(cast)
    actions.decide_membership(cast.agent, membership, approve=True)
    client = browser_for(cast.citizen)
    assert switch(client, cast.enterprise.uscc).status_code == 302
    assert client.get("/api/me").json()["acting_for"] == cast.enterprise.uscc

    actions.revoke_membership(cast.agent, membership)

    assert client.get("/api/me").json()["acting_for"] is None
    assert "acting_for" not in client.session
    ended = AuditRecord.objects.get(action="identity.acting_for.ended")
    assert ended.actor_id == cast.citizen.pk and ended.data == {"uscc": cast.enterprise.uscc}
    assert create_token(client, "撤销后").on_behalf_of == ""
    with pytest.raises(Conflict):
        actions.revoke_membership(cast.agent, membership)


def test_legal_representative_cannot_be_revoked_here(cast):
    legal = EnterpriseMembership.objects.get(user=cast.agent, enterprise=cast.enterprise)
    with pytest.raises(Conflict):
        actions.revoke_membership(cast.agent, legal)
    with pytest.raises(NotFound):
        actions.revoke_membership(cast.citizen, legal)
