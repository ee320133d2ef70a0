"""Query budget of public verification (issue 6 Measure: "verification API p95 ≤ 20 ms"): a
lookup by code is ONE query — the current version joined with its licence, type, issuer,
region and seal key — for every algorithm, for the API and the page; the public key register
and the status list's department check are one query each. A guard: an added lazy access
(`licence.issuer`, `version.seal_key`, a second lookup) fails here before it shows at 5M rows."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tongban.core.errors import NotFound
from tongban.licences import selectors
from tongban.licences.models import Licence

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["sm2", "ed25519"])
def sealed(request, settings):
    """The approved case's licence, sealed with the parametrised algorithm."""
    settings.TONGBAN_SEAL_ALGORITHM = request.param
    licence = Licence.objects.get(source_case=request.getfixturevalue("approved"))
    assert licence.versions.get().algorithm == request.param
    return licence


def _queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return result, [q["sql"] for q in ctx.captured_queries]


def test_verify_api_is_one_query_per_algorithm(sealed):
    client = Client()
    r, sql = _queries(lambda: client.get(f"/api/licences/verify/{sealed.verification_code}"))
    body = r.json()
    assert r.status_code == 200 and body["signature_valid"] is True
    assert body["signature"]["algorithm"] == sealed.versions.get().algorithm
    assert body["issuer"] and body["issuer_region"] and body["type_name"]  # the joined rows were read
    assert len(sql) == 1, sql


def test_verify_page_is_one_query(sealed):
    r, sql = _queries(lambda: Client().get(f"/verify/{sealed.verification_code}"))
    assert r.status_code == 200 and "验证通过" in r.content.decode()
    assert len(sql) == 1, sql


def test_verification_reads_the_current_version_after_a_new_one(sealed, health_officer):
    """The single query picks the version named by `current_version`, not the first: after a
    revocation (version 2) the answer is version 2, still one query."""
    from tongban.licences import actions

    actions.revoke(health_officer, sealed, reason="以欺骗手段取得", basis="《行政许可法》第六十九条")
    answer, sql = _queries(lambda: selectors.verification(sealed.verification_code))
    assert answer["version"] == 2 and answer["status"] == "revoked" and answer["signature_valid"] is True
    assert len(sql) == 1, sql


def test_unknown_code_is_not_found_in_one_query_and_empty_in_none(db):
    """(Over HTTP a 404 also passes Wagtail's redirect lookup: not this app's query.)"""
    for code, queries in (("0" * 32, 1), ("", 0)):
        with CaptureQueriesContext(connection) as ctx, pytest.raises(NotFound):
            selectors.verification(code)
        assert len(ctx.captured_queries) == queries, ctx.captured_queries


def test_key_register_is_one_query(sealed):
    r, sql = _queries(lambda: Client().get("/api/licences/keys"))
    body = r.json()
    assert r.status_code == 200 and body["count"] == len(body["items"]) >= 1
    assert len(sql) == 1, sql


def test_status_list_department_check_is_one_query(sealed):
    department, sql = _queries(lambda: selectors.issuing_department(sealed.issuer_id))
    assert department is not None and department.pk == sealed.issuer_id and len(sql) == 1, sql
    none, sql = _queries(lambda: selectors.issuing_department("no-such-department"))
    assert none is None and len(sql) == 1, sql


def test_R4_the_one_query_answer_equals_the_orm_reads(sealed, health_officer):
    """The compiled single query maps every column back to the right field (dates, JSON, the
    joined names, a status change's time) — the answer equals one built from plain ORM reads."""
    from tongban.licences import actions

    actions.suspend(health_officer, sealed, reason="待核查", basis="《行政许可法》第六十九条")
    licence = Licence.objects.select_related("licence_type", "issuer", "region").get(pk=sealed.pk)
    version = selectors.current_version(licence)
    answer = selectors.verification(licence.verification_code)
    assert answer["status"] == "suspended" and answer["signature_valid"] is True
    assert answer["suspended_at"] == selectors._iso(licence.status_changed_at) and answer["reason"] == "待核查"
    assert (answer["type"], answer["type_name"], answer["number"]) == (
        licence.licence_type_id, licence.licence_type.name, licence.number)
    assert (answer["issuer"], answer["issuer_region"]) == (licence.issuer.name, licence.region.name)
    assert (answer["issued_on"], answer["valid_from"], answer["valid_to"]) == (
        licence.issued_on.isoformat(), licence.valid_from.isoformat(),
        licence.valid_until.isoformat() if licence.valid_until else None)
    assert answer["holder"] == selectors.masked_holder(licence) and answer["holder_kind"] == licence.holder_kind
    assert (answer["version"], answer["versions"]) == (version.number, licence.current_version) == (2, 2)
    assert answer["signature"]["key_id"] == version.seal_key.key_id
    assert answer["signature"]["signed_at"] == version.seal["signed_at"]
