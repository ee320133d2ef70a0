"""Site health (R23) with a frozen clock: stale columns by their type's period, the home page,
more than 5 empty columns, messages unanswered over 3 months, broken internal links and
attachments, external links (httpx, bounded, only configured hosts — a local server here);
each failure links to what fixes it; the dashboard and the API show the latest run."""

from __future__ import annotations

import datetime as dt
import http.server
import threading

import pytest
from django.utils import timezone

from tongban.disclosure import health, health_actions, page_actions
from tongban.disclosure.models import ColumnPage, PolicyDocumentPage, SiteMessage
from tongban.testing import staff_session

TODAY = dt.date(2026, 12, 6)


def _at(day: dt.date):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def _doc(column, slug, published: dt.date, body="<p>正文</p>", **fields):
    page = page_actions.add_page(column, PolicyDocumentPage(title=f"文件{slug}", slug=slug, body=body, **fields))
    PolicyDocumentPage.objects.filter(pk=page.pk).update(first_published_at=_at(published))
    return page


def _kinds(result):
    return [f.kind for f in result.failures]


def _column(site, slug):
    return ColumnPage.objects.descendant_of(site).get(slug=slug)


def test_R23_columns_stale_by_their_type_and_home_page(site):
    _doc(_column(site, "zcwj"), "old-policy", TODAY - dt.timedelta(days=200))  # policy: 6 months
    _doc(_column(site, "rsxx"), "personnel", TODAY - dt.timedelta(days=200))  # personnel: 1 year, still fresh
    result = health.check(site, TODAY, external=False)
    stale = [f for f in result.failures if f.kind == "stale_column"]
    assert [f.title for f in stale] == ["栏目“政策文件”超过6个月未更新"]
    assert stale[0].fix_url == f"/cms/pages/{_column(site, 'zcwj').pk}/add_subpage/"
    assert "home_stale" in _kinds(result)  # nothing new anywhere for 2 weeks
    _doc(_column(site, "rsxx"), "fresh", TODAY - dt.timedelta(days=3))
    assert "home_stale" not in _kinds(health.check(site, TODAY, external=False))


def test_R23_more_than_five_empty_columns_each_listed(site):
    result = health.check(site, TODAY, external=False)
    empty = [f for f in result.failures if f.kind == "empty_column"]
    assert len(empty) == 16 and all("add_subpage" in f.fix_url for f in empty)  # every leaf column of the directory
    assert "重点领域" not in " ".join(f.title for f in empty)  # a parent column is not itself empty
    # five or fewer empty columns pass: fill all but five
    leaves = [f.fix_url.split("/")[3] for f in empty]
    for n, pk in enumerate(leaves[5:]):
        _doc(ColumnPage.objects.get(pk=int(pk)), f"fill-{n}", TODAY)
    assert "empty_column" not in _kinds(health.check(site, TODAY, external=False))


def test_R23_messages_unanswered_over_three_months(site, cast):
    old = SiteMessage.objects.create(site=site, author=cast.citizen, author_display="张**", form_token="a",
                                     title="小区停车难", text="小区停车难问题由来已久",
                                     created_at=_at(dt.date(2026, 9, 1)))
    SiteMessage.objects.create(site=site, author=cast.citizen, author_display="张**", form_token="b",
                               title="最近的留言", text="最近的留言内容", created_at=_at(dt.date(2026, 10, 1)))
    SiteMessage.objects.create(site=site, author=cast.citizen, author_display="张**", form_token="c", status="hidden",
                               title="不予公开的", text="不予公开的留言", created_at=_at(dt.date(2026, 1, 1)))
    found = [f for f in health.check(site, TODAY, external=False).failures if f.kind == "unanswered"]
    assert [f.title for f in found] == ["留言“小区停车难”超过3个月未答复"]
    assert found[0].fix_url == f"/disclosure/sites/gk-test/messages/manage/#m-{old.pk}"


def test_R23_broken_internal_links_and_attachments(site, settings, tmp_path):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    settings.MEDIA_ROOT = tmp_path
    column = _column(site, "zcwj")
    target = _doc(column, "target", TODAY)
    kept = Document(title="实施细则")
    kept.file.save("kept.txt", ContentFile(b"ok"), save=True)
    lost = Document(title="丢失的附件")
    lost.file.save("lost.txt", ContentFile(b"gone"), save=True)
    lost.file.storage.delete(lost.file.name)
    body = (
        f'<p><a linktype="page" id="{target.pk}">好链接</a><a linktype="page" id="999999">坏链接</a>'
        f'<a linktype="document" id="{kept.pk}">附件</a><a linktype="document" id="{lost.pk}">丢失</a>'
        '<a href="/gk-test/zcwj/">栏目</a><a href="/gk-test/no-such-page/">不存在</a>'
        '<a href="/disclosure/annual-report/">年报</a></p>'
    )
    page = _doc(column, "links", TODAY, body=body, attachment=lost)
    result = health.check(site, TODAY, external=False)
    links = sorted(f.detail for f in result.failures if f.kind == "broken_link")
    assert links == ["文档“丢失的附件”的文件已丢失", "站内地址 /gk-test/no-such-page/ 无法打开",
                     "链接的页面（ID 999999）已删除或未发布"]
    attachments = [f for f in result.failures if f.kind == "broken_attachment"]
    assert len(attachments) == 1 and attachments[0].fix_url == f"/cms/pages/{page.pk}/edit/"


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self):
        self.send_response(200 if self.path == "/ok" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_R23_external_links_only_on_configured_hosts(site, settings, local_server):
    body = (f'<p><a href="{local_server}/ok">好</a><a href="{local_server}/gone">坏</a>'
            '<a href="https://www.example.invalid/x">未配置的主机</a></p>')
    _doc(_column(site, "zcwj"), "ext", TODAY, body=body)
    assert health.allowed_hosts() == []  # tests: no host unless configured
    settings.TONGBAN_HEALTH_EXTERNAL_HOSTS = ["127.0.0.1"]
    result = health.check(site, TODAY)
    external = [f.detail for f in result.failures if f.kind == "external_link"]
    assert external == [f"{local_server}/gone：返回 HTTP 404"]
    assert (result.external_checked, result.external_skipped) == (2, 1)


def test_dashboard_lists_failures_with_links_for_the_sites_editors(site, cast, clients):
    _doc(_column(site, "zcwj"), "old-policy", TODAY - dt.timedelta(days=400))
    run = health_actions.run(site, today=TODAY, external=False)
    assert run.findings.filter(kind="stale_column").exists()
    editor = staff_session(cast.editor)
    page = editor.get("/disclosure/sites/gk-test/health/").content.decode()
    assert "栏目“政策文件”超过6个月未更新" in page and f'/cms/pages/{_column(site, "zcwj").pk}/add_subpage/' in page
    assert editor.post("/disclosure/sites/gk-test/health/").status_code == 302
    body = clients.editor.get("/api/disclosure/sites/gk-test/health").json()
    assert body["passed"] is False and any(c["check"] == "empty_column" and c["failures"] for c in body["checks"])
    assert clients.officer.get("/api/disclosure/sites/gk-test/health").status_code == 403
    assert clients.citizen.get("/api/disclosure/sites/gk-test/health").status_code == 403


def test_the_scheduled_job_checks_every_site(site):
    from tongban.disclosure import tasks

    assert tasks.check_site_health.apply().get() >= 1
    assert site.health_runs.count() == 1


def test_the_demo_seeds_failures_the_dashboard_shows(cast, settings, tmp_path):
    from tongban.disclosure import demo, message_selectors
    from tongban.disclosure.models import DisclosureSiteRoot

    settings.MEDIA_ROOT = tmp_path
    demo.load()
    city = DisclosureSiteRoot.objects.get(slug="gongkai")
    result = message_selectors.latest_health(cast.admin, city)
    failing = {c["check"] for c in result["checks"] if c["failures"]}
    assert {"stale_column", "empty_column", "unanswered", "broken_link", "broken_attachment"} <= failing
    assert city.messages.filter(status="published").exclude(answer="").count() == 1
