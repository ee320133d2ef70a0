"""A site's message box (留言): a signed-in citizen leaves a message (markup removed by nh3,
length limits, throttled, one message per form token), the site's editors publish or hide it
with a reason, the department answers once, the public listing masks personal data (R4), and a
site that says so hands each message to the 12345 hotline (the ticket number kept)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tongban.core.errors import Conflict, FieldError
from tongban.disclosure import message_actions
from tongban.disclosure.models import SiteMessage
from tongban.testing import staff_session

TEXT = "西岗区八一路的路灯坏了一排，晚上很黑，请尽快修复。联系电话13912345678"


def _submit(user, site, token="t1", title="路灯不亮", text=TEXT):
    return message_actions.submit(user, site, title=title, text=text, form_token=token)




def test_markup_is_removed_and_limits_name_the_field(site, cast):
    row = _submit(cast.citizen, site, text='<script>alert(1)</script><b onclick="x()">路灯</b>坏了一排很久了，晚上很黑'
                  " &lt;img src=x onerror=alert(1)&gt;")
    assert "<" not in row.text and "script" not in row.text and "onerror" not in row.text
    assert row.text == "路灯坏了一排很久了，晚上很黑"
    with pytest.raises(FieldError) as exc:
        _submit(cast.citizen, site, token="t2", title="", text="短")
    assert {f for f, _ in exc.value.errors} == {"title", "text"}
    with pytest.raises(FieldError) as exc:
        _submit(cast.citizen, site, token="t3", text="长" * 2001)
    assert "2000" in exc.value.errors[0][1]


def test_the_same_form_token_makes_one_message(site, cast):
    first, again = _submit(cast.citizen, site), _submit(cast.citizen, site)
    assert first.pk == again.pk and SiteMessage.objects.count() == 1
    assert _submit(cast.other_citizen, site).pk != first.pk  # a token is the author's own


def test_throttled_after_three_an_hour(site, cast):
    for n in range(3):
        _submit(cast.citizen, site, token=f"t{n}")
    with pytest.raises(message_actions.Throttled) as exc:
        _submit(cast.citizen, site, token="t9")
    assert "每小时最多3条" in exc.value.message and exc.value.retry_after > 0
    SiteMessage.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    assert _submit(cast.citizen, site, token="t9").pk


def test_R4_editors_moderate_department_answers_public_listing_masked(site, cast, clients):
    row = _submit(cast.citizen, site)
    assert clients.anonymous.get("/api/disclosure/sites/gk-test/messages").json()["items"] == []
    with pytest.raises(FieldError):
        message_actions.perform(cast.editor, row.pk, "hide", reason="")
    message_actions.perform(cast.editor, row.pk, "publish")
    with pytest.raises(Conflict):
        message_actions.perform(cast.admin, row.pk, "publish")
    answered = message_actions.perform(cast.editor, row.pk, "answer", text="已派员修复，感谢监督。")
    with pytest.raises(Conflict):
        message_actions.perform(cast.editor, row.pk, "answer", text="再次答复的内容")
    item = clients.anonymous.get("/api/disclosure/sites/gk-test/messages").json()["items"][0]
    assert item["author"] == "张**" and "139****5678" in item["text"] and "13912345678" not in item["text"]
    assert item["answer"] == "已派员修复，感谢监督。" and answered.answered_by == cast.editor
    page = Client().get("/disclosure/sites/gk-test/messages/").content.decode()
    assert "已派员修复" in page and "13912345678" not in page and "张晓明" not in page


def test_only_the_sites_editors_and_department_act(site, cast, clients, post):
    from django.core.exceptions import PermissionDenied

    row = _submit(cast.citizen, site)
    for outsider in (cast.officer_a, cast.other_citizen, cast.hotline):
        with pytest.raises(PermissionDenied):
            message_actions.perform(outsider, row.pk, "publish")
    r = post(clients.officer, f"/api/disclosure/messages/{row.pk}/actions/answer", {"text": "不是本部门的站点"})
    assert r.status_code == 404
    site.department_id = "market"
    site.save_revision().publish()
    r = post(clients.other_officer, f"/api/disclosure/messages/{row.pk}/actions/answer", {"text": "已转食品科核查处理"})
    assert r.status_code == 200 and r.json()["answer"] == "已转食品科核查处理"
    r = post(clients.other_officer, f"/api/disclosure/messages/{row.pk}/actions/publish")
    assert r.status_code == 403  # the department answers; publishing is the editors'


def test_hide_keeps_the_reason_and_the_message_off_the_site(site, cast):
    row = _submit(cast.citizen, site)
    hidden = message_actions.perform(cast.editor, row.pk, "hide", reason="与本站职能无关")
    assert hidden.status == "hidden" and hidden.moderation_reason == "与本站职能无关"
    assert "路灯不亮" not in Client().get("/disclosure/sites/gk-test/messages/").content.decode()


def test_api_post_needs_sign_in_and_throttles_with_429(site, cast, clients, post):
    r = post(clients.anonymous, "/api/disclosure/sites/gk-test/messages", {"title": "a", "text": TEXT})
    assert r.status_code == 401
    r = post(clients.citizen, "/api/disclosure/sites/gk-test/messages", {"title": "<i>路灯</i>", "text": ""})
    assert r.status_code == 422 and {d["field"] for d in r.json()["detail"]} == {"text"}
    for n in range(3):
        r = post(clients.citizen, "/api/disclosure/sites/gk-test/messages", {"title": "路灯", "text": TEXT},
                 **{"Idempotency-Key": f"k{n}"})
        assert r.status_code == 201, r.content
    again = post(clients.citizen, "/api/disclosure/sites/gk-test/messages", {"title": "路灯", "text": TEXT},
                 **{"Idempotency-Key": "k0"})
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    r = post(clients.citizen, "/api/disclosure/sites/gk-test/messages", {"title": "路灯", "text": TEXT})
    assert r.status_code == 429 and int(r["Retry-After"]) > 0


def test_page_form_double_submit_makes_one_message_and_errors_inline(site, cast):
    client = Client()
    r = client.post("/disclosure/sites/gk-test/messages/", {"title": "x", "text": TEXT, "token": "a"})
    assert r.status_code == 302
    assert not SiteMessage.objects.exists()  # anonymous: sent to sign in
    client.force_login(cast.citizen)
    r = client.post("/disclosure/sites/gk-test/messages/", {"title": "路灯不亮", "text": "短", "token": "a"})
    assert r.status_code == 422 and "不少于10字" in r.content.decode() and "路灯不亮" in r.content.decode()
    for _ in range(2):
        r = client.post("/disclosure/sites/gk-test/messages/", {"title": "路灯不亮", "text": TEXT, "token": "b"})
        assert r.status_code == 302
    assert SiteMessage.objects.count() == 1


def test_staff_queue_and_htmx_actions(site, cast):
    row = _submit(cast.citizen, site)
    editor = staff_session(cast.editor)
    page = editor.get("/disclosure/sites/gk-test/messages/manage/")
    assert page.status_code == 200 and "路灯不亮" in page.content.decode()
    r = editor.post(f"/disclosure/sites/gk-test/messages/{row.pk}/hide/", {"reason": ""}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and "不予公开的理由" in r.content.decode()
    r = editor.post(f"/disclosure/sites/gk-test/messages/{row.pk}/publish/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "已公开" in r.content.decode()
    assert staff_session(cast.officer_a).get("/disclosure/sites/gk-test/messages/manage/").status_code == 403


def test_hand_off_to_the_hotline_records_the_ticket(site, cast, django_capture_on_commit_callbacks):
    from tongban.hotline.models import Ticket

    site.messages_to_hotline = True
    site.save_revision().publish()
    site.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        row = _submit(cast.citizen, site)
    row.refresh_from_db()
    ticket = Ticket.objects.get(number=row.ticket_number)
    assert ticket.channel == "web" and ticket.caller_user == cast.citizen and row.number in ticket.text
    assert message_actions.hand_off(row.pk) == ticket.number and Ticket.objects.count() == 1


def test_hand_off_off_by_default_and_retried_when_the_hotline_failed(site, cast, monkeypatch):
    from tongban.hotline import actions as hotline_actions

    row = _submit(cast.citizen, site)
    assert message_actions.hand_off(row.pk) == ""  # the site does not hand over
    site.messages_to_hotline = True
    site.save_revision().publish()

    def down(*args, **kwargs):
        raise RuntimeError("热线系统维护中")

    monkeypatch.setattr(hotline_actions, "file_ticket", down)
    assert message_actions.hand_off(row.pk) == ""
    monkeypatch.undo()
    assert message_actions.hand_off_pending() == 1
    row.refresh_from_db()
    assert row.ticket_number


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency is PostgreSQL's")
def test_two_clicks_at_once_make_one_message(live_db):
    from django.contrib.auth.models import Group
    from wagtail.models import Page

    from tongban.disclosure import page_actions
    from tongban.identity.demo import make_id_number
    from tongban.testing import make_person

    home = Page.objects.filter(depth=2).order_by("path").first()
    if home is None:  # wagtail's migration rows were flushed by an earlier transactional test
        from django.conf import settings
        from wagtail.coreutils import get_supported_content_language_variant
        from wagtail.models import Locale

        Locale.objects.exists() or Locale.objects.create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
        home = root.add_child(instance=Page(title="首页", slug="home"))
    site = page_actions.create_site(home, title="并发测试站点", slug="gk-race")
    citizen = make_person("赵并发", make_id_number("210202", "19800101", 77), "13900000077")
    barrier, results = threading.Barrier(2), []

    def click():
        try:
            barrier.wait(timeout=10)
            results.append(_submit(citizen, site, token="race").pk)
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=click) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(results) == 2 and len(set(results)) == 1
        assert SiteMessage.objects.filter(form_token="race").count() == 1
    finally:
        SiteMessage.objects.filter(site=site).delete()
        Group.objects.filter(name__startswith=f"{site.title}（{site.pk}）").delete()
        Page.objects.get(pk=site.pk).delete()
        citizen.delete()
