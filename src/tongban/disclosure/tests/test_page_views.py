"""Page views per column (issue 7, item 1): a public view of a column, or of a document in it,
counts once for the column; nothing personal is stored; counters in the cache move to the
database without losing a view counted meanwhile; the figures are for the site's staff only."""

import datetime as dt
import os

import pytest
from django.test import override_settings
from django.utils import timezone
from wagtail.models import Page

from tongban.disclosure import page_actions, page_views
from tongban.disclosure.models import ColumnDailyViews, ColumnPage, PolicyDocumentPage

BUFFERED = page_views._buffered
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "page-views-test"}}


def _column(site, slug):
    return ColumnPage.objects.descendant_of(site).get(slug=slug)


def _views(column, day=None):
    row = ColumnDailyViews.objects.filter(column=column, day=day or timezone.localdate()).first()
    return row.views if row else 0


@pytest.fixture
def document(site):
    return page_actions.add_page(
        _column(site, "zcwj"),
        PolicyDocumentPage(title="关于优化营商环境的通知", slug="doc-views", document_number="大政发〔2019〕12号",
                           body="<p>正文</p>"),
    )


@pytest.fixture(autouse=True)
def direct(monkeypatch):
    """The database path (no Redis) unless a test asks for the cache path, whatever REDIS_URL says."""
    monkeypatch.setattr(page_views, "_buffered", lambda: False)


@pytest.fixture
def buffered(monkeypatch):
    """The cache path (as with Redis) on a LocMemCache of its own: incr and decr behave alike."""
    with override_settings(CACHES=LOCMEM):
        from django.core.cache import caches

        caches["default"].clear()
        monkeypatch.setattr(page_views, "_buffered", lambda: True)
        yield caches["default"]
        caches["default"].clear()


def test_column_and_document_views_count_for_the_column(site, document, client):
    column = _column(site, "zcwj")
    assert client.get(column.url).status_code == 200
    assert client.get(document.url).status_code == 200
    assert client.get(document.url).status_code == 200
    assert _views(column) == 3
    assert ColumnDailyViews.objects.get(column=column).site_id == site.pk
    assert not ColumnDailyViews.objects.exclude(column=column).exists()  # no other column, not the site root


def test_a_page_in_a_sub_column_counts_for_the_sub_column(site, client):
    sub = _column(site, "zdxm")  # 重点领域 → 重大项目
    doc = page_actions.add_page(sub, PolicyDocumentPage(title="重大项目批复", slug="zdxm-doc", body="<p>正文</p>"))
    client.get(doc.url)
    assert _views(sub) == 1 and _views(sub.get_parent()) == 0


def test_anonymous_views_count_and_nothing_personal_is_stored(site, document, client, cast):
    client.get(document.url, headers={"User-Agent": "Mozilla/5.0"}, REMOTE_ADDR="203.0.113.7")
    client.force_login(cast.citizen)
    client.get(document.url)
    assert _views(_column(site, "zcwj")) == 2
    fields = {f.name for f in ColumnDailyViews._meta.get_fields()}
    assert fields == {"id", "column", "site", "day", "views"}
    assert set(ColumnDailyViews.objects.values().get()) == {"id", "column_id", "site_id", "day", "views"}


def test_posts_bots_and_the_site_root_are_not_counted(site, document, client):
    client.post(document.url)
    client.get(document.url, headers={"User-Agent": "Mozilla/5.0 (compatible; Baiduspider/2.0)"})
    client.get(site.url)  # the site root is no column
    assert not ColumnDailyViews.objects.exists()


def test_a_restricted_page_counts_only_when_it_is_served(site, cast, rf):
    from django.contrib.auth.models import AnonymousUser
    from wagtail.models import PageViewRestriction

    column = _column(site, "tjxx")
    hidden = page_actions.add_page(column, PolicyDocumentPage(title="内部统计", slug="internal", body="<p>正文</p>"))
    PageViewRestriction.objects.create(page=column, restriction_type=PageViewRestriction.LOGIN)
    request = rf.get(hidden.url)
    request.user = AnonymousUser()
    page_views.count_view(hidden.specific, request)  # sent to sign in: not a view
    assert _views(column) == 0
    request.user = cast.citizen
    page_views.count_view(hidden.specific, request)
    assert _views(column) == 1


def test_the_direct_path_adds_to_an_existing_row(site, document):
    column = _column(site, "zcwj")
    day = timezone.localdate()
    page_views._add(column.pk, site.pk, day, 1)
    page_views._add(column.pk, site.pk, day, 1)
    page_views._add(column.pk, site.pk, day - dt.timedelta(days=1), 5)
    assert _views(column) == 2 and _views(column, day - dt.timedelta(days=1)) == 5
    assert ColumnDailyViews.objects.count() == 2


def test_with_the_cache_views_wait_for_the_flush(site, document, client, buffered):
    column = _column(site, "zcwj")
    for _ in range(3):
        client.get(document.url)
    assert not ColumnDailyViews.objects.exists()  # nothing written while the page is served
    assert page_views.flush() == 3
    assert _views(column) == 3
    assert page_views.flush() == 0  # the counter was taken down, not counted twice
    client.get(column.url)
    assert page_views.flush() == 1 and _views(column) == 4


def test_flush_keeps_a_view_counted_between_the_read_and_the_take(site, document, buffered, monkeypatch):
    column = _column(site, "zcwj")
    day = timezone.localdate()
    for _ in range(2):
        page_views._count_in_cache(column.pk, day)
    add = page_views._add

    def add_while_a_view_arrives(column_id, site_id, on, views):
        page_views._count_in_cache(column_id, on)  # after the read, before the take
        add(column_id, site_id, on, views)

    monkeypatch.setattr(page_views, "_add", add_while_a_view_arrives)
    assert page_views.flush() == 2
    monkeypatch.setattr(page_views, "_add", add)
    assert _views(column) == 2 and buffered.get(page_views._key(column.pk, day)) == 1
    assert page_views.flush() == 1 and _views(column) == 3


def test_flush_moves_yesterdays_counters_too(site, buffered):
    column = _column(site, "zcwj")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page_views._count_in_cache(column.pk, yesterday)
    assert page_views.flush() == 1 and _views(column, yesterday) == 1


# --- the API ----------------------------------------------------------------------------------------


@pytest.fixture
def other_site(db, cast):
    home = Page.objects.filter(depth=2).order_by("path").first()
    b = page_actions.create_site(home, title="西岗区政府信息公开", slug="gk-views-b")
    from tongban.disclosure import site_admin

    site_admin.site_group(b, "editor").user_set.add(cast.officer_b)  # B's editor only
    return b


def test_the_figures_take_a_few_queries_whatever_the_columns(site, cast, django_assert_max_num_queries):
    from tongban.testing import api_client

    today = timezone.localdate()
    for column in ColumnPage.objects.descendant_of(site):  # every column viewed (about twenty)
        ColumnDailyViews.objects.create(column=column, site=site, day=today, views=column.pk)
    admin = api_client(cast.admin)
    admin.get("/api/disclosure/sites/gk-test/page-views")  # warm: the token, the grants
    with django_assert_max_num_queries(6):
        assert admin.get("/api/disclosure/sites/gk-test/page-views").status_code == 200


def test_site_staff_read_their_sites_views(site, document, other_site, cast, client):
    from tongban.disclosure import site_admin
    from tongban.testing import api_client

    column = _column(site, "zcwj")
    client.get(document.url)
    client.get(column.url)
    ColumnDailyViews.objects.create(column=column, site=site, day=timezone.localdate() - dt.timedelta(days=40),
                                    views=9)  # outside the default 30 days
    site_admin.site_group(site, "reviewer").user_set.add(cast.officer_a)
    r = api_client(cast.officer_a).get("/api/disclosure/sites/gk-test/page-views")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["total"] == 2 and body["to"] == timezone.localdate().isoformat()
    first = body["columns"][0]
    assert first == {"column": column.pk, "title": column.title, "path": "/zcwj/", "views": 2}
    assert {c["column"] for c in body["columns"]} == set(ColumnPage.objects.descendant_of(site).values_list("pk",
                                                                                                              flat=True))
    since = (timezone.localdate() - dt.timedelta(days=40)).isoformat()
    wide = api_client(cast.admin).get(f"/api/disclosure/sites/gk-test/page-views?from={since}").json()
    assert wide["total"] == 11 and wide["from"] == since


def test_page_views_of_a_site_are_hidden_from_others(site, other_site, cast):
    from tongban.testing import api_client

    assert api_client(cast.officer_b).get("/api/disclosure/sites/gk-test/page-views").status_code == 404
    assert api_client(cast.officer_b).get("/api/disclosure/sites/gk-views-b/page-views").status_code == 200
    assert api_client(cast.citizen).get("/api/disclosure/sites/gk-test/page-views").status_code == 404
    assert api_client().get("/api/disclosure/sites/gk-test/page-views").status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [("from=2026-03-10&to=2026-03-01", "to"), ("from=2026-13-01", "from"), ("to=yesterday", "to"),
     ("from=2024-01-01&to=2026-01-01", "from")],
)
def test_bad_ranges_are_422_naming_the_field(site, cast, query, field):
    from tongban.testing import api_client

    r = api_client(cast.admin).get(f"/api/disclosure/sites/gk-test/page-views?{query}")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == field


def test_unflushed_counters_are_in_the_figures(site, document, client, cast, buffered):
    from tongban.testing import api_client

    client.get(document.url)
    client.get(document.url)
    page_views.flush()
    client.get(document.url)  # not flushed yet
    body = api_client(cast.admin).get("/api/disclosure/sites/gk-test/page-views").json()
    assert body["total"] == 3


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a Redis database the test may empty)")
def test_the_redis_path_counts_and_flushes(site, document, client, monkeypatch):
    redis = {"default": {"BACKEND": "tongban.core.cache.TolerantRedisCache", "LOCATION": os.environ["REDIS_URL"]}}
    with override_settings(CACHES=redis):
        from django.core.cache import caches

        caches["default"].clear()
        monkeypatch.setattr(page_views, "_buffered", BUFFERED)  # decided by the cache itself
        assert page_views._buffered()
        column = _column(site, "zcwj")
        client.get(document.url)
        client.get(column.url)
        assert not ColumnDailyViews.objects.exists()
        add = page_views._add

        def add_while_a_view_arrives(column_id, site_id, on, views):
            page_views._count_in_cache(column_id, on)
            add(column_id, site_id, on, views)

        monkeypatch.setattr(page_views, "_add", add_while_a_view_arrives)
        assert page_views.flush() == 2
        monkeypatch.setattr(page_views, "_add", add)
        assert _views(column) == 2
        assert page_views.flush() == 1 and _views(column) == 3
        caches["default"].clear()
