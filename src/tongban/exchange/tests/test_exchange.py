"""Data sharing (PRODUCT H, issue 6 item 7) with real client-credentials tokens from the
platform's OAuth 2.0 provider: scope and grant (403), purpose (422), rate limit (429), only
the granted fields, and every read in the subject's data-use tracker."""

import datetime as dt
import json

import pytest
from django.test import Client

from tongban.exchange import actions, demo
from tongban.exchange.models import DataResource, Grant
from tongban.identity.models import Department
from tongban.testing import api_client


def post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def resources(db):
    from tongban.identity.constants import Role
    from tongban.testing import make_staff

    make_staff("hrss-officer-x", Role.OFFICER, "hrss", "210200")
    demo.load()
    return {r.code: r for r in DataResource.objects.all()}


@pytest.fixture
def hrss_client(resources):
    client, secret = actions.register_client(None, Department.objects.get(pk="hrss"), "测试系统",
                                             client_id="test-hrss", client_secret="s3cret-test-hrss")
    return client, secret


@pytest.fixture
def tax_client(resources):
    return actions.register_client(None, Department.objects.get(pk="tax"), "税务测试系统",
                                   client_id="test-tax", client_secret="s3cret-test-tax")


def token(client_id, secret, scope):
    r = Client().post("/oauth/token/", {"grant_type": "client_credentials", "client_id": client_id,
                                        "client_secret": secret, "scope": scope})
    assert r.status_code == 200, r.content
    return r.json()["access_token"]


def read(tok, code, **params):
    return Client(headers={"Authorization": f"Bearer {tok}"}).get(f"/api/exchange/resources/{code}/records",
                                                                  params)


def test_catalogue_lists_resources_with_condition_and_personal_fields(resources, cast):
    r = api_client(cast.citizen).get("/api/exchange/resources")
    items = {i["code"]: i for i in r.json()["items"]}
    assert items["resident-identity"]["condition"] == "conditional"
    assert items["enterprise-registration"]["condition_name"] == "无条件共享"
    assert any(f["personal"] for f in items["resident-identity"]["fields"])
    assert Client().get("/api/exchange/resources").status_code == 401


def test_conditional_resource_needs_a_grant_and_returns_only_its_fields(resources, tax_client, cast):
    client, secret = tax_client
    tok = token(client.client_id, secret, "exchange:resident-identity")
    r = read(tok, "resident-identity", subject=cast.citizen.id_number, purpose="个税专项附加扣除核验")
    assert r.status_code == 403  # no grant
    # the tax department asks, the police head approves
    from tongban.identity.constants import Role
    from tongban.testing import make_staff

    tax_officer = make_staff("tax-officer-x", Role.OFFICER, "tax", "210200")
    police_head = make_staff("police-head-x", Role.HEAD, "police", "210200")
    until = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    body = {"purpose": "个税专项附加扣除核验", "fields": ["id_number", "name"], "basis": "《个人所得税法》第十五条",
            "valid_until": until}
    assert post(api_client(cast.citizen), "/api/exchange/resources/resident-identity/grants", body).status_code == 403
    assert post(api_client(tax_officer), "/api/exchange/resources/resident-identity/grants",
                {**body, "purpose": ""}).status_code == 422
    g = post(api_client(tax_officer), "/api/exchange/resources/resident-identity/grants", body)
    assert g.status_code == 201 and g.json()["state"] == "requested"
    gid = g.json()["id"]
    assert gid in [x["id"] for x in api_client(police_head).get("/api/exchange/grants").json()["items"]]
    assert gid not in [x["id"] for x in api_client(cast.head).get("/api/exchange/grants").json()["items"]]
    assert api_client(cast.citizen).get("/api/exchange/grants").status_code == 403
    unconditional = post(api_client(tax_officer), "/api/exchange/resources/enterprise-registration/grants",
                         {**body, "fields": ["name"]})
    assert unconditional.status_code == 422 and unconditional.json()["detail"][0]["field"] == "resource"
    assert post(api_client(cast.head), f"/api/exchange/grants/{gid}/decide", {"decision": "approve"}).status_code == 404
    assert post(api_client(tax_officer), f"/api/exchange/grants/{gid}/decide",
                {"decision": "approve"}).status_code == 403
    ok = post(api_client(police_head), f"/api/exchange/grants/{gid}/decide", {"decision": "approve", "reason": "同意"})
    assert ok.status_code == 200 and ok.json()["state"] == "approved"
    assert post(api_client(police_head), f"/api/exchange/grants/{gid}/decide",
                {"decision": "refuse", "reason": "x"}).status_code == 409
    r = read(tok, "resident-identity", subject=cast.citizen.id_number, purpose="个税专项附加扣除核验")
    assert r.status_code == 200, r.content
    assert r.json()["items"] == [{"id_number": cast.citizen.id_number, "name": cast.citizen.name}]
    # the read shows in the citizen's tracker, with the client, department and purpose
    uses = api_client(cast.citizen).get("/api/me/data-uses").json()["items"]
    use = next(u for u in uses if u["action"] == "read:exchange:resident-identity")
    assert "税务" in use["department"] and "个税" in use["why"] and "测试" in use["who"]["name"]
    assert "姓名" not in use["what"] or "name" in use["what"]
    assert api_client(cast.other_citizen).get("/api/me/data-uses").json()["count"] == 0


def test_scope_purpose_and_unconditional_resource(resources, hrss_client, cast):
    client, secret = hrss_client
    tok = token(client.client_id, secret, "exchange:enterprise-registration")
    assert read(tok, "resident-identity", subject=cast.citizen.id_number, purpose="x").status_code == 403  # scope
    r = read(tok, "enterprise-registration", subject=cast.enterprise.uscc)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "purpose"
    r = read(tok, "enterprise-registration", subject=cast.enterprise.uscc, purpose="参保单位登记")
    assert r.status_code == 200 and r.json()["items"][0]["name"] == cast.enterprise.name
    # the enterprise's agent sees the read in the tracker; another citizen does not
    uses = api_client(cast.agent).get("/api/me/data-uses").json()["items"]
    assert any(u["action"] == "read:exchange:enterprise-registration" and "参保" in u["why"] for u in uses)
    assert api_client(cast.other_citizen).get("/api/me/data-uses").json()["count"] == 0
    assert read("not-a-token", "enterprise-registration", subject="x", purpose="y").status_code == 401
    personal = api_client(cast.citizen).get("/api/exchange/resources")  # a personal token is not a client token
    assert personal.status_code == 200
    assert api_client(cast.citizen).get("/api/exchange/resources/enterprise-registration/records?purpose=x&subject=y"
                                        ).status_code == 401


def test_a_client_token_is_not_a_user_token_on_the_rest_of_the_api(resources, hrss_client):
    client, secret = hrss_client
    tok = token(client.client_id, secret, "exchange:enterprise-registration")
    assert Client(headers={"Authorization": f"Bearer {tok}"}).get("/api/exchange/resources").status_code == 401


def test_invalid_scope_is_refused_by_the_token_endpoint(resources, hrss_client):
    client, secret = hrss_client
    r = Client().post("/oauth/token/", {"grant_type": "client_credentials", "client_id": client.client_id,
                                        "client_secret": secret, "scope": "exchange:no-such-resource"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"


def test_rate_limit_per_client_and_resource_answers_429_with_retry_after(resources, hrss_client, cast, settings):
    settings.TONGBAN_EXCHANGE_RATE = 2
    client, secret = hrss_client
    tok = token(client.client_id, secret, "exchange:enterprise-registration exchange:resident-identity")
    for _ in range(2):
        assert read(tok, "enterprise-registration", subject=cast.enterprise.uscc, purpose="核验").status_code == 200
    r = read(tok, "enterprise-registration", subject=cast.enterprise.uscc, purpose="核验")
    assert r.status_code == 429 and int(r["Retry-After"]) >= 1 and r.json()["detail"]
    # another resource has its own budget (hrss holds the demo grant on resident identity)
    r = read(tok, "resident-identity", subject=cast.citizen.id_number, purpose="参保登记")
    assert r.status_code == 200 and set(r.json()["fields"]) == {"id_number", "name", "real_name_level"}
    assert "phone" not in r.json()["items"][0]


def test_demo_is_idempotent(resources):
    demo.load()
    assert DataResource.objects.count() == 2 and Grant.objects.filter(state="approved").count() <= 1
