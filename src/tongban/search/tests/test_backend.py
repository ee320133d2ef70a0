"""The search suite, run on whichever database the tests use (SQLite by default, PostgreSQL
with DATABASE_URL): the evaluation set against its targets, hostile input, filters,
suggestions, index and remove."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.search.backends.base import Filters, get_backend
from tongban.search.evaluation import TOP1_TARGET, TOP5_TARGET, evaluate, load_queries
from tongban.search.indexing import Document
from tongban.search.models import SearchDocument
from tongban.search.query import Query, Term

from .conftest import EVAL_KIND as KIND
from .test_query import HOSTILE

pytestmark = pytest.mark.django_db


@pytest.fixture
def backend(indexed_catalogue):
    return get_backend()


def codes(hits):
    return [hit.key for hit in hits]


def test_backend_matches_the_database(backend):
    assert backend.vendor == connection.vendor


def test_evaluation_set_meets_its_targets(backend):
    queries = load_queries()
    assert len(queries) >= 150
    result = evaluate(backend, None, queries, kind=KIND)
    report = "\n".join(f"{m['category']}: {m['q']} → {m['got'][:3]} (want {m['expected']})" for m in result.misses)
    print(f"\n{backend.vendor}: top-1 {result.top1:.1%}, top-5 {result.top5:.1%} over {len(queries)} queries")
    assert result.top1 >= TOP1_TARGET, f"top-1 {result.top1:.1%} < {TOP1_TARGET:.0%}\n{report}"
    assert result.top5 >= TOP5_TARGET, f"top-5 {result.top5:.1%} < {TOP5_TARGET:.0%}\n{report}"


@pytest.mark.parametrize(("query", "code"), [
    ("开饭店要办什么证", "SCJG-XK-008"), ("生孩子要办啥", "WJW-GG-001"), ("spjyxk", "SCJG-XK-008"),
    ("營業執照", "SCJG-XK-001"),
])
def test_the_issue_examples_are_found(backend, query, code):
    assert code in codes(backend.search(query, kind=KIND, limit=5))


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_query_is_plain_text(backend, query):
    hits = backend.search(query, kind=KIND)
    assert isinstance(hits, list)
    assert SearchDocument.objects.filter(kind=KIND).count() == 177


def test_syntax_around_a_real_query_still_finds_it(backend):
    assert "GA-XK-001" in codes(backend.search('"护照" OR 1=1 -- NEAR(*', kind=KIND, limit=5))


def test_ten_thousand_characters_are_cut_not_failed(backend):
    hits = backend.search("护照" + "啊" * 10_000, kind=KIND)
    assert codes(hits)[:1] == ["GA-XK-001"]


def test_emoji_are_ignored(backend):
    assert codes(backend.search("😀护照🎉", kind=KIND))[:1] == codes(backend.search("护照", kind=KIND))[:1]
    assert backend.search("😀🎉", kind=KIND) == []


def test_empty_query_gives_no_hits(backend):
    assert backend.search("", kind=KIND) == []
    assert backend.search("  ？！ ", kind=KIND) == []


def test_audience_filter(backend):
    hits = backend.search("注销", kind=KIND, audience="person", limit=50)
    assert hits
    audiences = dict(SearchDocument.objects.filter(kind=KIND).values_list("key", "audience"))
    assert {audiences[h.key] for h in hits} <= {"person", "both"}


def test_theme_filter(backend):
    hits = backend.search("许可", kind=KIND, theme="食品药品", limit=50)
    assert hits
    assert all(h.key.startswith(("SCJG", "YB")) for h in hits)


def test_hits_carry_display_data(backend):
    hit = backend.search("护照", kind=KIND)[0]
    assert hit.kind == KIND and hit.title == "普通护照签发"
    assert hit.data["department"] == "大连市公安局"
    assert hit.score > 0


def test_other_kinds_are_not_searched(backend):
    assert backend.search("护照", kind="knowledge") == []


def test_limit_is_respected(backend):
    assert len(backend.search("登记", kind=KIND, limit=3)) == 3


@pytest.mark.parametrize(("prefix", "expected"), [
    ("营业", "营业执照遗失补领"), ("shipin", "食品经营许可（新办）"), ("yyzz", "营业执照遗失补领"),
    ("spjy", "食品经营许可（新办）"), ("护", "普通护照签发"),
])
def test_suggestions_for_prefixes(backend, prefix, expected):
    suggestions = backend.suggest(prefix, kind=KIND)
    assert expected in suggestions
    assert 0 < len(suggestions) <= 8


def test_suggest_of_nothing_is_empty(backend):
    assert backend.suggest("", kind=KIND) == []
    assert backend.suggest("%", kind=KIND) == []


def test_region_and_popularity_raise_a_document(backend):
    docs = [Document(kind="test", key=f"k{i}", title="居住证申领", region_code=region, popularity=pop)
            for i, (region, pop) in enumerate([("210202", 0), ("210203", 0), ("210204", 500)])]
    backend.index(docs)
    assert codes(backend.search("居住证", kind="test"))[0] == "k2"  # the popular one
    assert codes(backend.search("居住证", kind="test", region="210202"))[0] == "k0"


def test_index_replaces_and_remove_deletes(backend):
    backend.index([Document(kind="test", key="a", title="植树造林备案")])
    backend.index([Document(kind="test", key="a", title="新名称事项", keywords="焕然一新")])
    assert SearchDocument.objects.filter(kind="test").count() == 1
    assert backend.search("植树造林", kind="test") == []
    assert codes(backend.search("焕然一新", kind="test")) == ["a"]
    assert backend.remove("test", ["a"]) == 1
    assert backend.search("焕然一新", kind="test") == []


def test_a_document_needs_kind_and_key(backend):
    with pytest.raises(ValueError):
        backend.index([Document(kind="test", key="", title="无键")])


def test_typo_fallback_finds_a_similar_title_when_no_term_matches(backend):
    backend.index([Document(kind="test", key="t", title="植树造林备案")])
    nothing = Term((("zzzqqq",),), 1.0)
    hits = backend._search(Query("", "", "植树造林备桉", (nothing,)), Filters("test"), 5)
    assert [h.key for h in hits] == ["t"]
    assert backend._search(Query("", "", "毫不相干", (nothing,)), Filters("test"), 5) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_any_text_is_a_query(backend, raw):
    assert isinstance(backend.search(raw, kind=KIND, limit=5), list)
    assert isinstance(backend.suggest(raw, kind=KIND), list)
