"""GET /api/catalog/suggest: suggestions as you type — item and bundle names by prefix,
pinyin, initials and synonyms; cut and sanitised like search; fast."""

import time

import pytest

from tongban.search import actions as search_actions
from tongban.testing import api_client

pytestmark = pytest.mark.django_db


def suggest(q, **params):
    return api_client().get("/api/catalog/suggest", {"q": q, **params})


def names(response):
    return [s["name"] for s in response.json()["suggestions"]]


@pytest.mark.parametrize(("q", "expected"), [
    ("营业", "营业执照遗失补领"),
    ("食品经营", "食品经营许可（新办）"),
    ("shipin", "食品经营许可（新办）"),
    ("spjy", "食品经营许可（新办）"),
    ("护", "普通护照签发"),
])
def test_items_are_suggested_by_prefix_pinyin_and_initials(catalog, q, expected):
    response = suggest(q)
    assert response.status_code == 200
    assert expected in names(response)
    assert 0 < len(names(response)) <= 8


def test_a_bundle_leads_when_its_name_is_typed(catalog):
    body = suggest("开饭店").json()
    first = body["suggestions"][0]
    assert (first["kind"], first["code"], first["name"]) == ("bundle", "YJS-001", "我要开饭店")
    assert first["department_name"]
    assert all(s["kind"] in ("bundle", "item") for s in body["suggestions"])


def test_colloquial_phrase_is_stripped_of_filler(catalog):
    assert "我要开饭店" in names(suggest("开饭店要办什么证"))


def test_editor_synonym_feeds_suggestions(catalog, editor):
    assert "食品经营许可（新办）" not in names(suggest("咕噜咕噜"))
    search_actions.add_synonym(editor, "咕噜咕噜", ["食品经营"])
    assert "食品经营许可（新办）" in names(suggest("咕噜咕噜"))


def test_each_title_is_suggested_once_and_limit_is_kept(catalog):
    body = suggest("许可", limit=5).json()
    assert len(body["suggestions"]) == 5
    assert len(set(names(suggest("许可", limit=20)))) == len(names(suggest("许可", limit=20)))


@pytest.mark.parametrize("limit", [0, 21, -1])
def test_limit_out_of_range_is_422_naming_it(catalog, limit):
    response = suggest("许可", limit=limit)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "limit"


@pytest.mark.parametrize("q", ["", "   ", "%", "😀", "' OR 1=1 --", '"', "*", "NEAR(", "&|!:", "营" * 10000])
def test_empty_and_hostile_input_is_plain_text(catalog, q):
    response = suggest(q)
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body["suggestions"], list)
    assert len(body["query"]) <= 100


def test_nothing_typed_suggests_nothing(catalog):
    assert suggest("").json()["suggestions"] == []


def test_suggestions_are_fast(catalog):
    """Target a few ms per call once warm (jieba loaded, synonyms cached): guard generously."""
    suggest("营业")
    started = time.perf_counter()
    for q in ("营", "营业", "营业执", "yyzz", "spjy", "开饭店", "shenfenzheng"):
        assert suggest(q).status_code == 200
    per_call = (time.perf_counter() - started) / 7
    assert per_call < 0.1, f"{per_call * 1000:.1f} ms per suggestion"
