"""GET /api/catalog/search and the browse list. Ranking quality is the search app's suite;
here: the answer's shape, hot items for an empty query, and bad input."""

import pytest

from tongban.testing import api_client

pytestmark = pytest.mark.django_db


def search(**params):
    return api_client().get("/api/catalog/search", params)


def test_empty_query_gives_the_hot_items(catalog):
    body = search().json()
    assert body["count"] == len(body["items"]) == 10
    assert {"code", "name", "department", "score"} <= set(body["items"][0])


def test_colloquial_query_finds_the_food_licence(catalog):
    body = search(q="开饭店要办什么证", page_size=5).json()
    assert "SCJG-XK-008" in [i["code"] for i in body["items"]]


@pytest.mark.parametrize("q", ["' OR 1=1 --", "%", '"', "*", "NEAR(", "&|!:", "😀😀", "饭" * 10000])
def test_hostile_queries_are_plain_text(catalog, q):
    assert search(q=q).status_code == 200


def test_page_size_over_100_is_422(catalog):
    r = search(q="营业执照", page_size=101)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "page_size"


def test_audience_filter(catalog):
    body = search(audience="person", page_size=50).json()
    assert body["items"]
    assert search(audience="alien").status_code == 422


def test_browse_by_theme_and_list(catalog):
    body = api_client().get("/api/catalog/items", {"theme": "食品药品", "page_size": 100}).json()
    assert "SCJG-XK-008" in [i["code"] for i in body["items"]]
    tolerant = api_client().get("/api/catalog/items", {"list": "容缺受理", "page_size": 100}).json()
    assert tolerant["count"] == 48
    assert api_client().get("/api/catalog/items", {"list": "不存在"}).status_code == 422


def test_jsonld_export_is_cpsv_ap(catalog):
    r = api_client().get("/api/catalog/export.jsonld")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/ld+json")
    body = r.json()
    assert body["@context"]["cpsv"] == "http://purl.org/vocab/cpsv#"
    services = [n for n in body["@graph"] if n["@type"] == "cpsv:PublicService"]
    assert len(services) == 177
    food = next(s for s in services if s["identifier"] == "SCJG-XK-008")
    assert food["hasCompetentAuthority"].endswith("/departments/market")
    assert any(e["description"] == "无需提交：平台从《营业执照》电子证照调取" for e in food["hasInput"]
               if "description" in e)
    assert any(g.endswith("/life-stages/start") for g in food["isGroupedBy"])
    events = {n["@type"] for n in body["@graph"] if n["@id"].split("/")[-2] == "bundles"}
    assert events == {"cv:LifeEvent", "cv:BusinessEvent"}
