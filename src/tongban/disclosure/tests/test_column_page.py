"""The column page (栏目页): the newest live public documents with their 文号, 统一登记编号 and
date, never drafts or restricted pages, at a number of queries that does not grow with the
documents listed (issue 7: query-count guard on column pages)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from tongban.disclosure import page_actions
from tongban.disclosure.models import ColumnPage, InterpretationPage, PolicyDocumentPage

pytestmark = pytest.mark.django_db


def _doc(slug, title, **fields):
    return PolicyDocumentPage(title=title, slug=slug, body="<p>正文内容</p>", **fields)


def _queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_column_lists_live_public_documents_with_their_numbers(site, client):
    column = ColumnPage.objects.child_of(site).get(slug="zcwj")
    shown = page_actions.add_page(column, _doc("shown", "关于优化营商环境的通知", document_number="大政发〔2019〕12号",
                                               published_on=dt.date(2026, 3, 2)))
    page_actions.add_page(column, _doc("draft", "尚未发布的草稿", live=False))
    hidden = page_actions.add_page(column, _doc("private", "仅限内部的文件"))
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.LOGIN)
    page_actions.add_page(column, InterpretationPage(title="《通知》政策解读", slug="jd", document=shown,
                                                     body="<p>解读要点</p>"))
    html = client.get(column.url).content.decode()
    assert "关于优化营商环境的通知" in html and "大政发〔2019〕12号" in html and "2026-03-02" in html
    assert f'href="{shown.url}"' in html and "《通知》政策解读" in html
    assert "尚未发布的草稿" not in html and "仅限内部的文件" not in html


def test_column_page_queries_do_not_grow_with_its_documents(site, client):
    column = ColumnPage.objects.child_of(site).get(slug="zcwj")
    page_actions.add_page(column, _doc("first", "第一号通知", document_number="大政发〔2020〕1号"))
    client.get(column.url)  # warm the site lookup caches
    few = _queries(client, column.url)
    for i in range(2, 12):
        page_actions.add_page(column, _doc(f"n{i}", f"第{i}号通知", document_number=f"大政发〔2020〕{i}号"))
    many = _queries(client, column.url)
    assert len(many) == len(few) <= 16, many
    # the listing never reads a document's body or search tokens
    assert not any("search_tokens" in q or '"body"' in q for q in many), many
