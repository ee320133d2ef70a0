"""一件事 (A4, S3 8): one merged guide, one material list deduplicated by material type, shared
form fields asked once, the union of the items' questions asked once."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.catalog import guides, selectors
from tongban.catalog.models import Bundle, ServiceItem
from tongban.testing import api_client

pytestmark = pytest.mark.django_db


def test_bundle_list(catalog):
    r = api_client().get("/api/catalog/bundles", {"page_size": 100})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 17
    restaurant = next(b for b in body["items"] if b["name"] == "我要开饭店")
    assert restaurant["lead_department"]["id"] == "market"
    assert len(restaurant["items"]) == 7


def test_restaurant_bundle_merges_materials_by_type(catalog):
    code = Bundle.objects.get(name="我要开饭店").code
    b = api_client().get(f"/api/catalog/bundles/{code}").json()
    assert b["lead_department"] == {"id": "market", "name": "大连市市场监督管理局"}
    types = [m["material_type"]["code"] for m in b["materials"]]
    assert len(types) == len(set(types))
    licence = next(m for m in b["materials"] if m["material_type"]["code"] == "ZZ-YYZZ")
    assert len(licence["items"]) >= 5  # one business licence for every department
    assert licence["provision_hint"] == "无需提交：平台从《营业执照》电子证照调取"
    assert len({d["id"] for d in b["departments"]}) >= 4


def test_shared_form_fields_are_asked_once_from_the_dictionary(catalog):
    b = api_client().get(f"/api/catalog/bundles/{Bundle.objects.get(name='我要开饭店').code}").json()
    keys = [f["key"] for f in b["form_fields"]]
    assert len(keys) == len(set(keys)) == 10
    uscc = next(f for f in b["form_fields"] if f["key"] == "enterprise.uscc")
    assert uscc["label"] == "统一社会信用代码" and uscc["schema"]["format"] == "uscc"


def test_bundle_asks_a_shared_question_once(catalog):
    b = api_client().get(f"/api/catalog/bundles/{Bundle.objects.get(name='我要开饭店').code}").json()
    keys = [q["key"] for q in b["questions"]]
    assert len(keys) == len(set(keys))
    proxy = next(q for q in b["questions"] if q["text"] == "是否委托他人代为办理？")
    assert set(proxy["items"]) >= {"SCJG-XK-001", "SCJG-XK-008"}


def test_bundle_answers_narrow_the_merged_list(catalog):
    code = Bundle.objects.get(name="我要开饭店").code
    client = api_client()
    before = client.post(f"/api/catalog/bundles/{code}/materials", {"answers": {}},
                         content_type="application/json").json()
    after = client.post(f"/api/catalog/bundles/{code}/materials",
                        {"answers": {"是否委托他人代为办理？": "是"}}, content_type="application/json").json()
    names = {n for m in after["materials"] for n in m["names"]}
    assert "授权委托书" in names
    assert "授权委托书" not in {n for m in before["materials"] for n in m["names"]}
    assert "是否委托他人代为办理？" not in [q["text"] for q in after["pending_questions"]]


def test_unknown_bundle_is_404_naming_it(catalog):
    r = api_client().get("/api/catalog/bundles/YJS-999")
    assert r.status_code == 404 and "YJS-999" in r.json()["detail"]


def test_bundle_detail_query_count(catalog, django_assert_max_num_queries):
    code = Bundle.objects.get(name="我要开饭店").code
    with django_assert_max_num_queries(10):
        assert api_client().get(f"/api/catalog/bundles/{code}").status_code == 200


# --- the merge rule, for any set of items --------------------------------------------------------

@pytest.fixture
def per_item(catalog):
    items = list(ServiceItem.objects.order_by("code").select_related("current_version"))
    version_ids = [i.current_version_id for i in items]
    materials = selectors.materials_of(version_ids)
    questions = selectors.questions_of(version_ids)
    return [(i.code, materials[i.current_version_id], [guides.question_out(q) for q in questions[i.current_version_id]])
            for i in items]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_merged_list_has_each_type_once_and_covers_the_union(per_item, data):
    chosen = data.draw(st.lists(st.sampled_from(per_item), min_size=1, max_size=8, unique_by=lambda t: t[0]))
    merged = guides.merge_materials([(code, mats) for code, mats, _ in chosen])
    types = [m["material_type"]["code"] for m in merged]
    assert len(types) == len(set(types))
    by_type = {m["material_type"]["code"]: m for m in merged}
    for code, mats, _ in chosen:
        for m in mats:
            entry = by_type[m["material_type"]["code"]]
            assert code in entry["items"] and m["name"] in entry["names"]
            assert entry["required"] or not m["required"]  # the strictest requirement wins
            assert entry["copies"] >= m["copies"]
    assert set(by_type) == {m["material_type"]["code"] for _, mats, _ in chosen for m in mats}
    questions = guides.merge_questions([(code, qs) for code, _, qs in chosen])
    keys = [q["key"] for q in questions]
    assert len(keys) == len(set(keys))
    assert set(keys) == {q["key"] for _, _, qs in chosen for q in qs}
