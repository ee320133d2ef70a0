"""The legal representative decides who may act for the enterprise: approve, refuse, withdraw
— by API and on the account page; nobody else can, and reading agents' identities is audited."""

import pytest
from django.test import Client

from tongban.core.models import AuditRecord
from tongban.identity import actions
from tongban.identity.models import EnterpriseMembership
from tongban.testing import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(cast):
    return actions.request_enterprise(cast.citizen, uscc=cast.enterprise.uscc, name=cast.enterprise.name,
                                      legal_representative="王建国")


def url(cast, m=None, decision=""):
    base = f"/api/enterprises/{cast.enterprise.uscc}/memberships"
    return f"{base}/{m.pk}/{decision}" if m else base


def test_legal_representative_lists_agents_masked_and_audited(cast, pending):
    response = api_client(cast.agent).get(url(cast))
    assert response.status_code == 200
    rows = response.json()["items"]
    assert [r["agent"] for r in rows] == [cast.citizen.name]
    assert rows[0]["status"] == "pending"
    assert "*" in rows[0]["agent_id_number"] and cast.citizen.id_number not in str(rows)  # R4
    read = AuditRecord.objects.get(action="read:identity.agent")
    assert read.subject_id == cast.citizen.pk and read.actor_id == cast.agent.pk


def test_approve_then_revoke_by_api(cast, pending):
    client = api_client(cast.agent)
    assert client.post(url(cast, pending, "approve")).json()["status"] == "active"
    assert client.post(url(cast, pending, "approve")).status_code == 409  # already decided
    assert client.post(url(cast, pending, "revoke")).json()["status"] == "revoked"
    assert client.post(url(cast, pending, "revoke")).status_code == 409
    assert AuditRecord.objects.filter(action__in=["identity.enterprise.approve", "identity.enterprise.revoke"],
                                      subject_id=cast.citizen.pk).count() == 2


@pytest.mark.parametrize("who", ["citizen", "other_citizen", "officer_a"])
def test_nobody_else_sees_or_decides(cast, pending, who):
    client = api_client(getattr(cast, who))
    assert client.get(url(cast)).json()["items"] == []
    assert client.post(url(cast, pending, "approve")).status_code == 404
    pending.refresh_from_db()
    assert pending.status == EnterpriseMembership.Status.PENDING


def test_unknown_decision_names_it(cast, pending):
    response = api_client(cast.agent).post(url(cast, pending, "delete"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "decision"


def test_account_page_lets_the_legal_representative_decide(cast, pending):
    browser = Client()
    browser.force_login(cast.agent)
    page = browser.get("/accounts/me/").content.decode()
    assert "经办人授权" in page and cast.citizen.name in page
    assert cast.citizen.id_number not in page
    response = browser.post(f"/accounts/me/agents/{pending.pk}/approve/", follow=True)
    assert "已确认" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == EnterpriseMembership.Status.ACTIVE

    stranger = Client()
    stranger.force_login(cast.other_citizen)
    response = stranger.post(f"/accounts/me/agents/{pending.pk}/revoke/", follow=True)
    assert "无权处理" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == EnterpriseMembership.Status.ACTIVE
