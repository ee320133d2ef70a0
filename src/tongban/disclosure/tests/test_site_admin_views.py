"""站点管理 as a page (issue 7): a site's administrator lists, appoints and removes the site's
editors and reviewers and edits its settings (R22 footer, message box) without JavaScript; errors
show at their field and keep what was typed; every write reaches the audit trail; another site's
administrator, the site's editors and citizens get 404, an anonymous caller is sent to sign in."""

from __future__ import annotations

from django.test import Client

from tongban.core.models import AuditRecord
from tongban.disclosure import site_admin
from tongban.disclosure.models import DisclosureSiteRoot
from tongban.testing import staff_session

ADMIN_A, ADMIN_B = "/disclosure/sites/gk-zs/admin/", "/disclosure/sites/gk-xg/admin/"
WRITES = ("disclosure.site.grant", "disclosure.site.revoke", "disclosure.site.settings")




def _settings(**changes) -> dict:
    form = {"organiser": "中山区人民政府", "contact": "0411-82800000", "site_code": "2102020001",
            "messages_enabled": "on"}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_site_admin_lists_appoints_and_removes_own_staff(sites, cast):
    a, _b, boss = sites
    client = staff_session(boss)
    page = client.get(ADMIN_A)
    body = page.content.decode()
    assert page.status_code == 200 and boss.username in body and "管理员" in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'value="admin"' not in body  # only a platform administrator appoints administrators
    editor = cast.editor
    r = client.post(ADMIN_A + "staff/grant/", {"username": editor.username, "role": "editor"}, follow=True)
    assert r.redirect_chain == [(ADMIN_A, 302)]
    assert f"已任命 {editor.username} 为本站编辑" in r.content.decode() and editor.username in r.content.decode()
    assert site_admin.site_group(a, "editor").user_set.filter(pk=editor.pk).exists()
    grant = AuditRecord.objects.get(action="disclosure.site.grant")
    assert (grant.actor_id, grant.subject_id, grant.data) == (boss.pk, editor.pk, {"role": "editor"})
    assert grant.object_id == str(a.pk)
    r = client.post(ADMIN_A + "staff/revoke/", {"username": editor.username, "role": "editor"})
    assert r.status_code == 302 and r["Location"] == ADMIN_A
    assert not site_admin.site_group(a, "editor").user_set.filter(pk=editor.pk).exists()
    revoke = AuditRecord.objects.get(action="disclosure.site.revoke")
    assert (revoke.actor_id, revoke.subject_id) == (boss.pk, editor.pk)


def test_grant_and_revoke_errors_show_at_the_field_and_keep_the_input(sites, cast):
    a, _b, boss = sites
    client = staff_session(boss)
    r = client.post(ADMIN_A + "staff/grant/", {"username": "no-such-user", "role": "reviewer"})
    body = r.content.decode()
    assert r.status_code == 422
    assert 'id="grant-username-error"' in body and "未找到启用的账号“no-such-user”" in body
    assert 'value="no-such-user"' in body and '<option value="reviewer" selected>' in body
    r = client.post(ADMIN_A + "staff/grant/", {"username": cast.supervisor.username, "role": "admin"})
    assert r.status_code == 422 and 'id="grant-role-error"' in r.content.decode()
    assert not site_admin.site_group(a, "admin").user_set.filter(pk=cast.supervisor.pk).exists()
    r = client.post(ADMIN_A + "staff/revoke/", {"username": cast.editor.username, "role": "editor"})
    assert r.status_code == 422 and "不是本站的编辑人员" in r.content.decode()
    assert client.post(ADMIN_A + "staff/promote/", {"username": cast.editor.username}).status_code == 404
    assert not AuditRecord.objects.filter(action__in=WRITES).exists()


def test_R22_settings_errors_show_inline_keep_the_input_and_change_nothing(sites):
    a, _b, boss = sites
    client = staff_session(boss)
    r = client.post(ADMIN_A, _settings(organiser="  ", site_code="X" * 30, contact="0411-12345678"))
    body = r.content.decode()
    assert r.status_code == 422
    assert 'id="organiser-error"' in body and "请填写主办单位" in body
    assert 'id="site_code-error"' in body and "不能超过20字（现为30字）" in body
    assert 'id="contact-error"' not in body
    assert f'value="{"X" * 30}"' in body and 'value="0411-12345678"' in body  # what was typed
    a.refresh_from_db()
    assert (a.organiser, a.contact) == ("中山区政府", "1")
    assert not AuditRecord.objects.filter(action="disclosure.site.settings").exists()


def test_R22_site_admin_saves_the_settings_and_the_audit_trail_gets_the_write(sites):
    a, _b, boss = sites
    client = staff_session(boss)
    # unticked boxes are absent from the form: the message box is switched off, the hand-off on
    r = client.post(ADMIN_A, _settings(messages_enabled=None, messages_to_hotline="on"), follow=True)
    assert r.redirect_chain == [(ADMIN_A, 302)] and "本站设置已保存" in r.content.decode()
    a = DisclosureSiteRoot.objects.get(pk=a.pk)
    assert (a.organiser, a.contact, a.site_code) == ("中山区人民政府", "0411-82800000", "2102020001")
    assert not a.messages_enabled and a.messages_to_hotline
    record = AuditRecord.objects.get(action="disclosure.site.settings")
    assert record.actor_id == boss.pk and record.object_id == str(a.pk)
    assert record.data["changed"] == sorted(site_admin.SETTINGS_FIELDS)
    assert 'value="中山区人民政府"' in r.content.decode()


def test_another_sites_admin_its_editors_and_citizens_get_404(sites, cast):
    a, b, boss = sites
    client = staff_session(boss)
    assert client.get(ADMIN_B).status_code == 404
    assert client.post(ADMIN_B, _settings(organiser="改")).status_code == 404
    for action in ("grant", "revoke"):
        r = client.post(ADMIN_B + f"staff/{action}/", {"username": cast.editor.username, "role": "editor"})
        assert r.status_code == 404
    b.refresh_from_db()
    assert b.organiser == "西岗区政府" and not site_admin.site_group(b, "editor").user_set.exists()
    site_admin.site_group(a, "editor").user_set.add(cast.editor)
    assert staff_session(cast.editor).get(ADMIN_A).status_code == 404  # an editor does not administer the site
    citizen = Client()
    citizen.force_login(cast.citizen)
    assert citizen.get(ADMIN_A).status_code == 404
    assert citizen.post(ADMIN_A + "staff/grant/", {"username": cast.citizen.username, "role": "editor"}).status_code \
        == 404
    assert not AuditRecord.objects.filter(action__in=WRITES).exists()


def test_anonymous_is_sent_to_sign_in(sites):
    anonymous = Client()
    for method, path in (("get", ADMIN_A), ("post", ADMIN_A), ("post", ADMIN_A + "staff/grant/")):
        r = getattr(anonymous, method)(path)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/"), (method, path)


def test_platform_admin_administers_any_site_and_appoints_administrators(sites, cast):
    _a, b, _boss = sites
    client = staff_session(cast.admin)
    page = client.get(ADMIN_B)
    assert page.status_code == 200 and '<option value="admin"' in page.content.decode()
    r = client.post(ADMIN_B + "staff/grant/", {"username": cast.supervisor.username, "role": "admin"})
    assert r.status_code == 302
    supervisor = type(cast.supervisor).objects.get(pk=cast.supervisor.pk)
    assert site_admin.is_site_admin(supervisor, b)


def test_the_staff_pages_link_to_site_administration_for_its_administrators_only(sites, cast):
    a, _b, boss = sites
    assert ADMIN_A in staff_session(boss).get("/disclosure/sites/gk-zs/health/").content.decode()
    assert ADMIN_A in staff_session(boss).get("/disclosure/sites/gk-zs/messages/manage/").content.decode()
    site_admin.site_group(a, "editor").user_set.add(cast.editor)
    page = staff_session(cast.editor).get("/disclosure/sites/gk-zs/health/")
    assert page.status_code == 200 and ADMIN_A not in page.content.decode()
