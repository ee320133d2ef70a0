"""The Foundation routes of INTERFACES.md, their answers and error shapes."""

import json

import pytest

from tongban.core.audit import seal_pending, verify_chain
from tongban.identity.models import ApiToken, User
from tongban.testing import api_client

pytestmark = pytest.mark.django_db

GOOD_ID = "210213197506180031"


def post(client, path, body, **headers):
    return client.post(path, data=json.dumps(body), content_type="application/json", headers=headers)


def fields(response):
    return {d["field"] for d in response.json()["detail"]}


def test_R1_register_accepts_valid_id_number_and_stores_it_upper_case():
    body = {"name": "测试用户", "id_number": "11010519491231002x", "phone": "13800001111", "password": "Tb-strong-9!"}
    r = post(api_client(), "/api/accounts/register", body)
    assert r.status_code == 201, r.content
    assert User.objects.get(username="11010519491231002X").id_number == "11010519491231002X"
    assert r.json()["id_number"] == "1101**********002X"  # R4 masked even in the answer


@pytest.mark.parametrize("bad, part", [
    ("210213197506180032", "校验码"),
    ("210213197502300032", "出生日期"),
    ("2102041988090911731", "18位"),
    ("990213197506180031", "地址码"),
])
def test_R1_register_refuses_bad_id_number_naming_the_part(bad, part):
    r = post(api_client(), "/api/accounts/register",
             {"name": "测试用户", "id_number": bad, "phone": "13800001111", "password": "Tb-strong-9!"})
    assert r.status_code == 422
    detail = {d["field"]: d["message"] for d in r.json()["detail"]}
    assert part in detail["id_number"]
    assert not User.objects.filter(phone="13800001111").exists()


def test_register_reports_every_bad_field_at_once():
    r = post(api_client(), "/api/accounts/register",
             {"name": "x", "id_number": "123", "phone": "12345", "password": "short"})
    assert r.status_code == 422
    assert fields(r) == {"name", "id_number", "phone", "password"}


def test_register_missing_fields_are_named():
    r = post(api_client(), "/api/accounts/register", {"name": "测试用户"})
    assert r.status_code == 422
    assert {"id_number", "phone", "password"} <= fields(r)


def test_register_invalid_json_is_422_not_500():
    r = api_client().post("/api/accounts/register", data="{not json", content_type="application/json")
    assert r.status_code == 422


def test_register_twice_is_409_and_creates_one_account():
    body = {"name": "测试用户", "id_number": GOOD_ID, "phone": "13800002222", "password": "Tb-strong-9!"}
    assert post(api_client(), "/api/accounts/register", body).status_code == 201
    assert post(api_client(), "/api/accounts/register", {**body, "phone": "13800002223"}).status_code == 409
    assert User.objects.filter(id_number=GOOD_ID).count() == 1


def test_idempotency_key_replays_the_first_answer():
    body = {"name": "测试用户", "id_number": GOOD_ID, "phone": "13800003333", "password": "Tb-strong-9!"}
    first = post(api_client(), "/api/accounts/register", body, **{"Idempotency-Key": "k-1"})
    again = post(api_client(), "/api/accounts/register", body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other = post(api_client(), "/api/accounts/register", {**body, "phone": "13800003334"},
                 **{"Idempotency-Key": "k-1"})
    assert other.status_code == 422


def test_me_needs_authentication(cast):
    assert api_client().get("/api/me").status_code == 401
    forged = api_client(None, Authorization="Bearer tb_forged-token-000000000000000000000")
    assert forged.get("/api/me").status_code == 401


def test_me_shows_roles_department_and_region(cast):
    body = api_client(cast.officer_a).get("/api/me").json()
    assert body["department"] == "market" and body["region"] == "210200"
    assert body["roles"][0]["role"] == "officer"


def test_revoked_and_expired_tokens_are_refused(cast):
    from django.utils import timezone

    client = api_client(cast.citizen)
    assert client.get("/api/me").status_code == 200
    ApiToken.objects.filter(user=cast.citizen).update(revoked_at=timezone.now())
    assert client.get("/api/me").status_code == 401
    client = api_client(cast.citizen)
    ApiToken.objects.filter(user=cast.citizen, revoked_at__isnull=True).update(expires_at=timezone.now())
    assert client.get("/api/me").status_code == 401


def test_tokens_are_stored_hashed(cast):
    client = api_client(cast.citizen)
    r = post(client, "/api/me/tokens", {"name": "脚本", "days": 7})
    assert r.status_code == 201
    raw = r.json()["token"]
    assert not ApiToken.objects.filter(digest=raw).exists()
    assert raw not in json.dumps(list(ApiToken.objects.values()), default=str)


def test_owner_revokes_token_and_other_citizen_cannot(cast):
    r = post(api_client(cast.citizen), "/api/me/tokens", {"name": "脚本"})
    token_id = r.json()["id"]
    assert api_client(cast.other_citizen).delete(f"/api/me/tokens/{token_id}").status_code == 404
    assert api_client(cast.citizen).delete(f"/api/me/tokens/{token_id}").json()["revoked_at"]


@pytest.mark.parametrize("uscc", ["91210204MA1B2C3D8E", "91210204MO1B2C3D8C", "9121", ""])
def test_R2_enterprise_with_bad_uscc_is_422_naming_uscc(cast, uscc):
    r = post(api_client(cast.citizen), "/api/me/enterprises",
             {"uscc": uscc, "name": "测试公司", "legal_representative": "张三"})
    assert r.status_code == 422
    assert "uscc" in fields(r)


def test_enterprise_request_is_pending_until_approved(cast):
    r = post(api_client(cast.citizen), "/api/me/enterprises",
             {"uscc": "91210204MA1B2C3D8C", "name": "测试公司", "legal_representative": "张三"})
    assert r.status_code == 201
    assert r.json()["status"] == "pending"


def test_regions_tree_and_departments_are_public():
    regions = api_client().get("/api/regions").json()
    assert regions[0]["code"] == "210200"
    assert "210202" in {c["code"] for c in regions[0]["children"]}
    departments = api_client().get("/api/departments").json()
    assert departments["count"] == 28
    assert {"id", "name", "uscc", "region"} <= set(departments["items"][0])


def test_page_size_over_100_is_422():
    r = api_client().get("/api/departments?page_size=101")
    assert r.status_code == 422 and fields(r) == {"page_size"}


def test_officer_sees_only_own_department_staff(cast):
    rows = api_client(cast.officer_a).get("/api/staff?page_size=100").json()["items"]
    assert {r["department"] for r in rows} == {"market"}
    assert api_client(cast.citizen).get("/api/staff").status_code == 403


def test_registration_is_audited_and_chain_verifies():
    post(api_client(), "/api/accounts/register",
         {"name": "测试用户", "id_number": GOOD_ID, "phone": "13800004444", "password": "Tb-strong-9!"})
    seal_pending()
    result = verify_chain()
    assert result.ok and result.checked >= 1


def test_acting_for_an_enterprise_needs_an_active_membership(cast):
    uscc = cast.enterprise.uscc
    agent = api_client(cast.agent, **{"X-Acting-For": uscc})
    assert agent.get("/api/me").json()["acting_for"] == uscc
    stranger = api_client(cast.citizen, **{"X-Acting-For": uscc})
    assert stranger.get("/api/me").status_code == 403


def test_api_answers_chinese_as_utf8_not_escapes():
    r = api_client().get("/api/departments")
    assert "大连市".encode() in r.content
