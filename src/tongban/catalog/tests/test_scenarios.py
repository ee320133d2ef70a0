"""Scenario guidance (A5, S3 10): answers give the exact material list for a situation."""

import pytest

from tongban.catalog.models import Bundle
from tongban.testing import api_client

pytestmark = pytest.mark.django_db


def answer(code, answers):
    return api_client().post(f"/api/catalog/items/{code}/materials", {"answers": answers},
                             content_type="application/json")


def names(body):
    return [m["name"] for m in body["materials"]]


def test_without_answers_the_required_materials_and_pending_questions(catalog):
    body = answer("SCJG-XK-008", {}).json()
    assert "营业执照" in names(body)
    assert "经营场所租赁合同" not in names(body) and "经营场所不动产权证书" not in names(body)
    assert len(body["pending_questions"]) == 3


def test_rented_premises_and_cold_food_add_their_materials(catalog):
    body = answer("SCJG-XK-008", {"经营场所是否为自有房产？": "否，租赁或借用",
                                  "经营项目是否包含冷食类、生食类食品制售（如凉菜、刺身、裱花蛋糕）？": "是"}).json()
    assert "经营场所租赁合同" in names(body) and "专间设置及操作流程说明" in names(body)
    assert "经营场所不动产权证书" not in names(body)
    assert [q["text"] for q in body["pending_questions"]] == ["是否委托他人代为办理？"]


def test_an_answer_can_remove_a_required_material(catalog):
    body = answer("SCJG-XK-001", {"股东的构成是？": "均为企业法人"}).json()
    assert "自然人股东居民身份证" not in names(body) and "法人股东营业执照" in names(body)


def test_question_key_works_like_its_text(catalog):
    guide = api_client().get("/api/catalog/items/SCJG-XK-008").json()
    key = guide["questions"][0]["key"]
    assert names(answer("SCJG-XK-008", {key: "是，自有房产"}).json()) == names(
        answer("SCJG-XK-008", {"经营场所是否为自有房产？": "是，自有房产"}).json())


def test_every_restaurant_item_has_questions(catalog):
    code = Bundle.objects.get(name="我要开饭店").code
    bundle = api_client().get(f"/api/catalog/bundles/{code}").json()
    asked = {i for q in bundle["questions"] for i in q["items"]}
    assert len(asked) >= 6


def test_unknown_question_is_422_naming_it(catalog):
    r = answer("SCJG-XK-008", {"你喜欢吃什么？": "饺子"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "answers.你喜欢吃什么？"


def test_unknown_label_is_422_naming_question_and_label(catalog):
    r = answer("SCJG-XK-008", {"经营场所是否为自有房产？": "也许"})
    assert r.status_code == 422
    message = r.json()["detail"][0]["message"]
    assert "也许" in message and "经营场所是否为自有房产？" in message


def test_malformed_body_is_422(catalog):
    r = api_client().post("/api/catalog/items/SCJG-XK-008/materials", {"answers": ["x"]},
                          content_type="application/json")
    assert r.status_code == 422


def test_unknown_item_is_404(catalog):
    assert answer("NOPE-1", {}).status_code == 404
