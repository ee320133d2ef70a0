"""RSS and Atom per site and column: public, only live and public pages of that site (or
column), never drafts, restricted pages or another site's pages; a bounded number of queries."""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from tongban.disclosure import page_actions
from tongban.disclosure.models import ColumnPage, InterpretationPage, PolicyDocumentPage

ATOM = "{http://www.w3.org/2005/Atom}"


def _column(site, slug):
    return ColumnPage.objects.child_of(site).get(slug=slug)


def _doc(slug, title, **fields):
    return PolicyDocumentPage(title=title, slug=slug, body="<p>正文内容</p>", **fields)


@pytest.fixture
def two_sites(site):
    home = Page.objects.filter(depth=2).order_by("path").first()
    other = page_actions.create_site(home, title="西岗区政府信息公开", slug="gk-feed-b")
    policy = _column(site, "zcwj")
    shown = page_actions.add_page(
        policy,
        _doc("shown", "关于优化营商环境的通知", document_number="大政发〔2019〕12号", issuer_name="大连市人民政府"),
    )
    page_actions.add_page(policy, _doc("draft", "尚未发布的草稿", live=False))
    hidden = page_actions.add_page(policy, _doc("private", "仅限内部的文件"))
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.LOGIN)
    interpretation = page_actions.add_page(
        _column(site, "zcjd"),
        InterpretationPage(title="《通知》政策解读", slug="jd", document=shown, body="<p>解读要点</p>"),
    )
    page_actions.add_page(_column(other, "zcwj"), _doc("b", "西岗区的文件"))
    return site, other, shown, interpretation


def _rss_titles(response):
    root = ET.fromstring(response.content)
    return [item.findtext("title") for item in root.iter("item")]


def test_site_feed_lists_only_this_sites_live_public_pages(two_sites, client):
    site, other, _, _ = two_sites
    r = client.get(f"/disclosure/feeds/{site.slug}/rss.xml")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/rss+xml")
    titles = _rss_titles(r)
    assert set(titles) == {"关于优化营商环境的通知（大政发〔2019〕12号）", "《通知》政策解读"}
    root = ET.fromstring(r.content)
    link = root.find("channel/item/link").text
    assert link.startswith("http") and ("/jd/" in link or "/shown/" in link)
    assert "大连市人民政府" in r.content.decode()
    assert _rss_titles(client.get(f"/disclosure/feeds/{other.slug}/rss.xml")) == ["西岗区的文件"]


def test_column_feed_and_atom(two_sites, client):
    site = two_sites[0]
    titles = _rss_titles(client.get(f"/disclosure/feeds/{site.slug}/zcjd/rss.xml"))
    assert titles == ["《通知》政策解读"]
    r = client.get(f"/disclosure/feeds/{site.slug}/zcwj/atom.xml")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(r.content)
    assert [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")] == [
        "关于优化营商环境的通知（大政发〔2019〕12号）"
    ]
    # the column page links its feeds
    html = client.get(_column(site, "zcwj").url).content.decode()
    assert f"/disclosure/feeds/{site.slug}/zcwj/rss.xml" in html


@pytest.mark.parametrize(
    "path",
    ["/disclosure/feeds/no-such-site/rss.xml", "/disclosure/feeds/gk-test/no-such-column/atom.xml"],
)
def test_unknown_site_or_column_is_404(site, client, path):
    assert client.get(path).status_code == 404


def test_unpublished_site_has_no_feed(two_sites, client):
    _, other, _, _ = two_sites
    other.unpublish()
    assert client.get(f"/disclosure/feeds/{other.slug}/rss.xml").status_code == 404


def test_feed_queries_do_not_grow_with_items(two_sites, client):
    site = two_sites[0]
    path = f"/disclosure/feeds/{site.slug}/rss.xml"
    client.get(path)  # warm the site lookup caches
    with CaptureQueriesContext(connection) as before:
        client.get(path)
    policy = _column(site, "zcwj")
    for i in range(6):
        page_actions.add_page(policy, _doc(f"more-{i}", f"第{i}号通知"))
    with CaptureQueriesContext(connection) as after:
        r = client.get(path)
    assert len(_rss_titles(r)) == 8
    assert len(after.captured_queries) <= len(before.captured_queries) + 2, [
        q["sql"][:120] for q in after.captured_queries
    ]
