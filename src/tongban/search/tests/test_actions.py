"""Editors' tools: synonyms take effect at once, no-result queries are counted and resolved."""

from __future__ import annotations

import pytest

from tongban.core.errors import FieldError
from tongban.core.models import AuditRecord
from tongban.search import actions
from tongban.search.backends.base import get_backend
from tongban.search.indexing import Document
from tongban.search.models import QueryLog
from tongban.search.selectors import find, open_no_result_queries

pytestmark = pytest.mark.django_db

DOCS = [
    Document(kind="faq", key="gt", title="个体工商户设立登记", keywords="开小店 个体户"),
    Document(kind="faq", key="hz", title="普通护照签发", keywords="办护照 出国"),
]


@pytest.fixture
def backend():
    backend = get_backend()
    backend.index(DOCS)
    return backend


def test_synonym_added_at_run_time_takes_effect(backend, cast):
    assert backend.search("摆地摊", kind="faq") == []
    actions.add_synonym(cast.admin, "摆地摊", ["个体工商户"])
    assert [h.key for h in backend.search("摆地摊", kind="faq")] == ["gt"]
    record = AuditRecord.objects.filter(action="search.synonym.add").latest("id")
    assert record.actor_id == cast.admin.pk and record.data["added"] == ["个体工商户"]


def test_mutual_synonym_works_both_ways(backend, cast):
    actions.add_synonym(cast.admin, "因私护照", ["普通护照"], mutual=True)
    assert [h.key for h in backend.search("因私护照", kind="faq")][:1] == ["hz"]


def test_adding_to_a_term_extends_its_list(cast):
    actions.add_synonym(cast.admin, "摆地摊", ["个体工商户"])
    synonym = actions.add_synonym(cast.admin, "擺地攤", ["个体户", "个体工商户"])
    assert synonym.synonyms == ["个体工商户", "个体户"]


@pytest.mark.parametrize(("term", "synonyms"), [("", ["a"]), ("😀", ["护照"]), ("护照", []), ("护照", ["護照"])])
def test_bad_synonyms_are_refused(cast, term, synonyms):
    with pytest.raises(FieldError):
        actions.add_synonym(cast.admin, term, synonyms)


def test_no_result_query_is_logged_once_with_a_count(backend):
    for raw in ("摆地摊许可", "擺地攤許可", "摆地摊许可😀"):
        assert find(raw, kind="faq") == []
    log = QueryLog.objects.get()
    assert (log.query, log.count, log.kind) == ("摆地摊许可", 3, "faq")
    assert list(open_no_result_queries("faq")) == [log]


def test_found_and_empty_queries_are_not_logged(backend):
    assert find("护照", kind="faq")
    assert find("怎么办", kind="faq") == []
    assert find("", kind="faq") == []
    assert not QueryLog.objects.exists()


def test_resolving_with_a_synonym_makes_the_query_hit(backend, cast):
    find("摆地摊许可", kind="faq")
    log = QueryLog.objects.get()
    actions.resolve_query(cast.admin, log, term="摆地摊", synonyms=["个体工商户"])
    log.refresh_from_db()
    assert log.resolved and log.resolved_by == cast.admin and "个体工商户" in log.resolution
    assert [h.key for h in find("摆地摊许可", kind="faq")] == ["gt"]
    assert not open_no_result_queries("faq").exists()
    assert AuditRecord.objects.filter(action="search.query.resolve").exists()


def test_resolving_needs_a_synonym_or_keyword(backend, cast):
    find("摆地摊许可", kind="faq")
    with pytest.raises(FieldError):
        actions.resolve_query(cast.admin, QueryLog.objects.get())


def test_a_resolved_query_that_fails_again_is_reopened(backend, cast):
    find("摆地摊许可", kind="faq")
    log = actions.resolve_query(cast.admin, QueryLog.objects.get(), keyword="摆摊")
    assert log.resolution == "关键词：摆摊"
    find("摆地摊许可", kind="faq")
    log.refresh_from_db()
    assert not log.resolved and log.count == 2
