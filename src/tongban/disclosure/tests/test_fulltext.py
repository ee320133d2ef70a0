"""Document full text through the database's index (migration 0009): a `tsvector` with a GIN
index on PostgreSQL, an FTS5 table kept by triggers on SQLite. It finds what the token match
(`search_tokens LIKE '% 词 %'`) found, case ignored, and follows edits, unpublishing and deletion."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.db.models import F, Q

from tongban.disclosure import page_actions, search, selectors
from tongban.disclosure.models import ColumnPage, PolicyDocumentPage

PHRASES = (
    "优化营商环境",
    "安全生产责任制",
    "危险化学品管理",
    "乡村振兴战略",
    "推进互联网+政务服务",
    "互联网医院建设",
    "数字政府建设",
    "医疗保障制度",
    "义务教育均衡发展",
    "生态环境保护督察",
    "住房公积金提取",
    "5G基站建设",
    "C++编程培训",
    "C类企业监管",
    "50%的补贴",
    "上涨50个百分点",
    "降低3.5%的费率",
    "DLSCJGGF-2026-001",
)


def _column(site):
    return ColumnPage.objects.child_of(site).get(slug="zcwj")


def _doc(n, body, **fields):
    values = {
        "title": f"关于{body[:8]}的通知",
        "slug": f"doc-{n}",
        "document_number": f"大政发〔2019〕{n + 1}号",
        "body": f"<p>{body}</p>",
        "published_on": dt.date(2019, 1, 1) + dt.timedelta(days=n),
    }
    values.update(fields)
    return PolicyDocumentPage(**values)


@pytest.fixture
def documents(site):
    pick = random.Random(13)
    column = _column(site)
    return [
        page_actions.add_page(column, _doc(n, "，".join(pick.sample(PHRASES, pick.randint(1, 4)))))
        for n in range(30)
    ]


def _ids(rows):
    return sorted(rows.values_list("pk", flat=True))


def _by_token_match(words):
    """What the search found before the index: every word a whole stored token (case ignored,
    as SQLite's LIKE always did)."""
    rows = PolicyDocumentPage.objects.live().public()
    for word in words:
        rows = rows.filter(Q(search_tokens__icontains=f" {word} "))
    return _ids(rows)


def test_every_stored_token_finds_what_the_token_match_found(documents):
    base = PolicyDocumentPage.objects.live().public()
    stored = set()
    for text in base.values_list("search_tokens", flat=True):
        stored.update(text.split())
    assert {"营商", "互联网", "C++", "C", "3.5%", "50%", "50", "DLSCJGGF", "5G"} <= stored
    for word in sorted(stored):
        assert _ids(search.matching(base, [word])) == _by_token_match([word]), word


QUERIES = ("营商环境", "乡村振兴 安全生产", "互联网+", "互联网 医院", "C++", "c", "3.5%", "DLSCJGGF-2026-001",
           "dlscjggf", "5g 基站", "大政发", "2019", "公积金 教育 督察", "没有这个词")


def test_a_query_finds_what_the_token_match_found(documents):
    for q in QUERIES:
        expected = _by_token_match(search.query_tokens(q))
        assert _ids(selectors.documents(q=q)) == expected, q
        if q in ("营商环境", "互联网 医院", "大政发"):
            assert expected  # the comparison is not only between empty answers


def test_a_token_with_punctuation_is_matched_whole(site):
    column = _column(site)
    plus = page_actions.add_page(column, _doc(1, "C++编程培训", title="培训通知"))
    plain = page_actions.add_page(column, _doc(2, "C类企业监管，补贴提高3.5%", title="监管通知"))
    # a text-search parser would index C++ as c and 3.5% as 3.5: the tokens are taken as they are
    assert _ids(selectors.documents(q="C++")) == [plus.pk]
    assert _ids(selectors.documents(q="c")) == [plain.pk]
    assert _ids(selectors.documents(q="3.5%")) == [plain.pk]
    assert _ids(selectors.documents(q="3.5")) == []


def test_query_operators_are_plain_words(documents):
    for q in ['营商 AND "OR', "NOT 营商*", "营商 | 环境 & !", "NEAR(营商 环境)", "'", '"', "-营商"]:
        list(selectors.documents(q=q))  # no syntax error from either index


def test_the_index_follows_edits_unpublishing_and_deletion(site):
    page = page_actions.add_page(_column(site), _doc(1, "磷化工园区整治", title="关于园区的通知"))
    assert _ids(selectors.documents(q="磷化工")) == [page.pk]
    page.body = "<p>尾矿库闭库治理</p>"
    page_actions.publish(None, page)
    assert _ids(selectors.documents(q="磷化工")) == []
    assert _ids(selectors.documents(q="尾矿库")) == [page.pk]
    page.refresh_from_db()
    page.unpublish()
    assert _ids(selectors.documents(q="尾矿库")) == []
    page.delete()
    assert _ids(PolicyDocumentPage.objects.filter(search.FullText(F("search_tokens"), ("尾矿库",)))) == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid FROM disclosure_doc_fts WHERE disclosure_doc_fts MATCH '\"尾矿库\"'")
            assert cursor.fetchall() == []


def test_filters_and_ordering_still_apply_with_a_query(documents):
    rows = selectors.documents(q="营商", year=2019)
    dates = list(rows.values_list("published_on", flat=True))
    assert dates and dates == sorted(dates, reverse=True)
    assert rows[:2].count() <= 2  # the API's bounded count


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL: tsvector and GIN")
def test_postgresql_searches_through_the_gin_index(documents):
    page_actions.add_page(documents[0].get_parent(), _doc(99, "磷化工园区整治"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # thirty rows: else a scan is cheaper
    plan = selectors.documents(q="磷化工").explain()
    assert "disclosure_doc_fulltext" in plan, plan
    assert "search_vector @@" in str(selectors.documents(q="磷化工").query)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite: FTS5")
def test_sqlite_searches_through_the_fts5_table(documents):
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE name LIKE 'disclosure_doc_fts%'")
        names = {name for _type, name in cursor.fetchall()}
    # the table and its triggers (a later migration rebuilding the documents table drops these)
    assert {"disclosure_doc_fts", "disclosure_doc_fts_insert", "disclosure_doc_fts_delete"} <= names
    assert "disclosure_doc_fts_update" in names
    plan = selectors.documents(q="营商").explain()
    assert "disclosure_doc_fts VIRTUAL TABLE" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL: the newest-first window")
@pytest.mark.parametrize("q", ["政务服务", "互联网 政务 服务", "数字政府建设", "乡村振兴战略", "C++ 编程"])
def test_words_written_together_are_found_among_the_newest_as_the_index_finds_them(documents, q, monkeypatch):
    """`search.newest_matches` (several words, PostgreSQL) answers the newest matches read from a
    window of the newest documents — the same ids, in the same order, as the full query — and
    nothing (None) when the window holds fewer than asked for."""
    monkeypatch.setattr(search, "NEWEST_WINDOW", 12)
    words = search.query_tokens(q)
    found = list(selectors.documents(q=q).values_list("pk", flat=True))
    in_window = [pk for pk in selectors.documents().values_list("pk", flat=True)[:12] if pk in set(found)]
    for need in (1, 2, 3, 5):
        got = search.newest_matches(selectors.documents(), words, need)
        if len(words) > 1 and len(in_window) >= need:
            assert got == found[:need]
        else:
            assert got is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL: the newest-first window")
def test_the_api_answers_the_same_page_from_the_window_as_from_the_index(documents, client, monkeypatch):
    from tongban.disclosure import api

    monkeypatch.setattr(search, "NEWEST_WINDOW", 20)
    monkeypatch.setattr(api, "SEARCH_COUNT_LIMIT", 2)
    url = "/api/disclosure/documents?q=互联网 政务 服务&page_size=2&page={}"
    used = []
    real = search.newest_matches
    monkeypatch.setattr(search, "newest_matches", lambda *a: used.append(real(*a)) or used[-1])
    through_window = [client.get(url.format(p)).json() for p in (1, 2)]
    assert used and used[0] is not None  # the window held enough matches
    monkeypatch.setattr(search, "newest_matches", lambda *a: None)
    through_index = [client.get(url.format(p)).json() for p in (1, 2)]
    assert through_window == through_index
    assert [len(r["items"]) for r in through_window] == [2, 2] and through_window[0]["count_exact"] is False
