"""GET /api/catalog/items/{code}?region= — the guide as implemented in a region (A2)."""

import pytest

from tongban.testing import api_client

from .factories import make_item

pytestmark = pytest.mark.django_db


def get(path, **params):
    return api_client().get(path, params)


def test_city_guide_has_every_element(catalog):
    r = get("/api/catalog/items/SCJG-XK-008", region="210200")
    assert r.status_code == 200, r.content
    g = r.json()
    assert g["code"] == "SCJG-XK-008"
    assert g["name"] == "食品经营许可（新办）"
    assert g["type"] == "行政许可"
    assert g["department"] == {"id": "market", "name": "大连市市场监督管理局"}
    assert g["region"] == {"code": "210200", "name": "大连市"}
    assert g["conditions"] and g["basis"] and g["process"]
    assert g["legal_days"] == 10 and g["legal_days_unit"] == "working" and g["promised_days"] == 3
    assert g["version"] == 1 and g["effective_date"] == "2026-01-01"
    assert g["fee"] == "不收费"
    assert g["place"] and g["hours"] and g["contacts"]["consultation"] and g["contacts"]["complaint"]
    assert {"容缺受理", "免提交"} <= set(g["lists"])
    assert g["questions"][0]["text"] == "经营场所是否为自有房产？"


def test_licence_material_says_it_is_fetched_not_uploaded(catalog):
    g = get("/api/catalog/items/SCJG-XK-008").json()
    licence = next(m for m in g["materials"] if m["name"] == "营业执照")
    assert licence["source"] == "licence:ZZ-YYZZ"
    assert licence["provision_hint"] == "无需提交：平台从《营业执照》电子证照调取"
    assert licence["material_type"]["code"] == "ZZ-YYZZ"
    upload = next(m for m in g["materials"] if m["source"] == "applicant" and m["tolerable"])
    assert upload["provision_hint"].startswith("需提交")


def test_district_guide_is_the_district_implementation(catalog):
    r = get("/api/catalog/items/SCJG-XK-001", region="210202")
    assert r.status_code == 200
    g = r.json()
    assert g["region"] == {"code": "210202", "name": "中山区"}
    assert "中山区" in g["place"]
    # the standard is the city's: same name, code, materials
    city = get("/api/catalog/items/SCJG-XK-001", region="210200").json()
    assert g["materials"] == city["materials"] and g["name"] == city["name"]


def test_district_line_department_implements_in_its_district(catalog):
    code = catalog.filter(department_id="civil-affairs", level="district").values_list("code", flat=True)[0]
    g = get(f"/api/catalog/items/{code}", region="210202").json()
    assert g["implementing_department"]["id"] == "zhongshan-civil-affairs"


def test_without_region_the_city_implementation_is_shown(catalog):
    assert get("/api/catalog/items/SCJG-XK-001").json()["region"]["code"] == "210200"


def test_unknown_item_is_404_naming_it(catalog):
    r = get("/api/catalog/items/NOPE-XK-999")
    assert r.status_code == 404
    assert "NOPE-XK-999" in r.json()["detail"]


def test_unknown_region_is_404_naming_it(catalog):
    r = get("/api/catalog/items/SCJG-XK-001", region="999999")
    assert r.status_code == 404
    assert "999999" in r.json()["detail"]


def test_item_not_implemented_in_region_is_404_saying_which(catalog):
    r = get("/api/catalog/items/SCJG-XK-001", region="210204")
    assert r.status_code == 404
    detail = r.json()["detail"]
    assert "沙河口区" in detail and "SCJG-XK-001" in detail and "未实施" in detail


def test_hostile_code_and_region_never_500(catalog):
    for code in ["' OR 1=1 --", "%", "😀", "a" * 500]:
        assert get(f"/api/catalog/items/{code}", region="%").status_code == 404


@pytest.mark.parametrize("materials", [3, 60])
def test_item_api_stays_within_ten_queries(catalog, editor, django_assert_max_num_queries, materials):
    code = make_item(editor, f"TEST-GG-{materials:03d}", materials=materials).code
    client = api_client()
    with django_assert_max_num_queries(10):
        r = client.get(f"/api/catalog/items/{code}", {"region": "210200"})
    assert r.status_code == 200
    assert len(r.json()["materials"]) == materials
