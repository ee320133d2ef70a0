"""GET /api/catalog/export.jsonld expands with pyld, offline: the context is embedded, and a
document loader that refuses every URL proves nothing is fetched. The expanded graph has the
CPSV-AP shape issue 4 promises."""

import json

import pytest
from pyld import jsonld

from tongban.testing import api_client

pytestmark = pytest.mark.django_db

CPSV = "http://purl.org/vocab/cpsv#"
CV = "http://data.europa.eu/m8g/"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
EVENTS = {f"{CV}LifeEvent", f"{CV}BusinessEvent"}


def offline_loader(url, options=None):
    raise jsonld.JsonLdError(f"offline: refused to fetch {url}", "jsonld.LoadDocumentError",
                             code="loading document failed")


@pytest.fixture
def expanded(catalog):
    response = api_client().get("/api/catalog/export.jsonld")
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert isinstance(doc["@context"], dict), "the context must be embedded, not a URL"
    return jsonld.expand(doc, {"documentLoader": offline_loader})


def nodes_of(expanded, rdf_type):
    return [n for n in expanded if rdf_type in n.get("@type", [])]


def ids(values):
    return [v["@id"] for v in values]


def test_offline_loader_really_refuses():
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand({"@context": "https://example.org/context.jsonld", "name": "x"},
                      {"documentLoader": offline_loader})


def test_every_item_is_a_public_service_with_authority_inputs_and_time(expanded):
    services = nodes_of(expanded, f"{CPSV}PublicService")
    assert len(services) == 177
    organisations = {n["@id"] for n in nodes_of(expanded, f"{CV}PublicOrganisation")}
    for service in services:
        authority = ids(service[f"{CV}hasCompetentAuthority"])
        assert len(authority) == 1 and authority[0] in organisations
        times = service[f"{CV}processingTime"]
        assert times[0]["@type"] == f"{XSD}duration" and times[0]["@value"].startswith("P")
    with_inputs = [s for s in services if s.get(f"{CPSV}hasInput")]
    assert len(with_inputs) == len(services)
    for service in with_inputs:
        for evidence in service[f"{CPSV}hasInput"]:
            assert evidence["@type"] == [f"{CV}Evidence"]
            assert evidence[f"{DCT}title"][0]["@language"].lower() == "zh-hans"


def test_food_licence_in_detail(expanded):
    food = next(s for s in nodes_of(expanded, f"{CPSV}PublicService")
                if s[f"{DCT}identifier"][0]["@value"] == "SCJG-XK-008")
    assert food[f"{CV}hasCompetentAuthority"][0]["@id"].endswith("/departments/market")
    assert food[f"{CV}processingTime"][0]["@value"] == "P20D" or food[f"{CV}processingTime"][0]["@value"][-1] == "D"
    hints = [e[f"{DCT}description"][0]["@value"] for e in food[f"{CPSV}hasInput"] if f"{DCT}description" in e]
    assert "无需提交：平台从《营业执照》电子证照调取" in hints
    requirements = food[f"{CV}holdsRequirement"]
    assert all(r["@type"] == [f"{CV}CriterionRequirement"] for r in requirements)
    assert "holds:ZZ-YYZZ" in [r[f"{DCT}identifier"][0]["@value"] for r in requirements]


def test_grouping_points_at_life_and_business_events(expanded):
    events = {n["@id"]: set(n["@type"]) for n in expanded if EVENTS & set(n.get("@type", []))}
    services = nodes_of(expanded, f"{CPSV}PublicService")
    grouped = [s for s in services if s.get(f"{CV}isGroupedBy")]
    assert len(grouped) == len(services)  # every item has a life stage or a bundle
    for service in grouped:
        for target in ids(service[f"{CV}isGroupedBy"]):
            assert target in events, target
    food = next(s for s in services if s[f"{DCT}identifier"][0]["@value"] == "SCJG-XK-008")
    restaurant = next(t for t in ids(food[f"{CV}isGroupedBy"]) if t.endswith("/bundles/YJS-001"))
    assert events[restaurant] == {f"{CV}BusinessEvent"}
    birth = [i for i, types in events.items() if i.endswith("/bundles/YJS-004")]
    assert events[birth[0]] == {f"{CV}LifeEvent"}
