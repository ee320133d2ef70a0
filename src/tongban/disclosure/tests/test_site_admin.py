"""A site's administrator (issue 7): manages that site's editors, reviewers and settings, and
nothing of another site (404 there, as for any object of a foreign site); bad input is a 422
naming the field and the reason."""

import json

from tongban.disclosure import site_admin, tenancy


def _send(client, method, path, body=None):
    return getattr(client, method)(path, data=json.dumps(body or {}), content_type="application/json")


def test_site_groups_include_the_administrator_with_locks(sites):
    from wagtail.models import GroupPagePermission

    a, _b, _boss = sites
    codenames = set(
        GroupPagePermission.objects.filter(page=a, group__name=site_admin.group_name(a, "admin")).values_list(
            "permission__codename", flat=True
        )
    )
    assert {"publish_page", "lock_page", "unlock_page"} <= codenames


def test_site_admin_appoints_and_removes_own_editors(sites, cast):
    from tongban.testing import api_client

    a, _b, boss = sites
    client = api_client(boss)
    staff = client.get("/api/disclosure/sites/gk-zs/staff").json()["staff"]
    assert [(r["username"], r["roles"]) for r in staff] == [(boss.username, ["admin"])]
    editor = cast.editor
    assert not tenancy.holds_site(editor, a)
    r = _send(client, "post", "/api/disclosure/sites/gk-zs/staff", {"username": editor.username, "role": "editor"})
    assert r.status_code == 200, r.content
    assert {"username": editor.username, "name": editor.name, "roles": ["editor"]} in r.json()["staff"]
    editor = type(editor).objects.get(pk=editor.pk)  # the permission cache is per user object
    assert tenancy.holds_site(editor, a)
    r = client.delete(f"/api/disclosure/sites/gk-zs/staff/editor/{editor.username}")
    assert r.status_code == 200 and editor.username not in {s["username"] for s in r.json()["staff"]}
    assert not site_admin.site_group(a, "editor").user_set.filter(pk=editor.pk).exists()


def test_site_admin_reaches_nothing_of_another_site(sites, cast):
    from tongban.testing import api_client

    _a, b, boss = sites
    client = api_client(boss)
    assert client.get("/api/disclosure/sites/gk-xg/staff").status_code == 404
    assert client.get("/api/disclosure/sites/gk-xg/settings").status_code == 404
    r = _send(client, "post", "/api/disclosure/sites/gk-xg/staff", {"username": cast.editor.username, "role": "editor"})
    assert r.status_code == 404
    assert _send(client, "patch", "/api/disclosure/sites/gk-xg/settings", {"organiser": "改"}).status_code == 404
    assert client.delete(f"/api/disclosure/sites/gk-xg/staff/editor/{cast.editor.username}").status_code == 404
    assert not site_admin.site_group(b, "editor").user_set.exists()
    b.refresh_from_db()
    assert b.organiser == "西岗区政府"
    # nor does an editor of the site administer it, nor a citizen
    site_admin.site_group(_a, "editor").user_set.add(cast.editor)
    assert api_client(cast.editor).get("/api/disclosure/sites/gk-zs/staff").status_code == 404
    assert api_client(cast.citizen).get("/api/disclosure/sites/gk-zs/staff").status_code == 404


def test_site_admin_bad_input_names_the_field(sites, cast):
    from tongban.testing import api_client

    _a, _b, boss = sites
    client = api_client(boss)
    url = "/api/disclosure/sites/gk-zs/staff"
    cases = [
        ({"username": cast.editor.username, "role": "owner"}, "role"),
        ({"username": cast.editor.username, "role": "admin"}, "role"),  # only a platform administrator appoints
        ({"username": "no-such-user", "role": "editor"}, "username"),
        ({"username": cast.citizen.username, "role": "editor"}, "username"),  # not staff
        ({"username": "", "role": "editor"}, "username"),
    ]
    for body, field in cases:
        r = _send(client, "post", url, body)
        assert r.status_code == 422, (body, r.status_code)
        assert field in json.dumps(r.json(), ensure_ascii=False), (body, r.json())
    r = client.delete(f"{url}/editor/{cast.editor.username}")
    assert r.status_code == 422 and "username" in r.content.decode()
    r = _send(client, "patch", "/api/disclosure/sites/gk-zs/settings", {"organiser": "  ", "site_code": "x" * 30})
    assert r.status_code == 422
    body = r.content.decode()
    assert "organiser" in body and "site_code" in body and "R22" in body


def test_R22_site_admin_changes_settings_and_platform_admin_appoints_admins(sites, cast):
    from tongban.testing import api_client

    a, _b, boss = sites
    r = _send(api_client(boss), "patch", "/api/disclosure/sites/gk-zs/settings",
              {"contact": "0411-88888888", "messages_to_hotline": True})
    assert r.status_code == 200 and r.json()["contact"] == "0411-88888888" and r.json()["messages_to_hotline"]
    a.refresh_from_db()
    assert a.contact == "0411-88888888" and a.messages_to_hotline and a.organiser == "中山区政府"
    r = _send(api_client(cast.admin), "post", "/api/disclosure/sites/gk-zs/staff",
              {"username": cast.supervisor.username, "role": "admin"})
    supervisor = type(cast.supervisor).objects.get(pk=cast.supervisor.pk)
    assert r.status_code == 200 and site_admin.is_site_admin(supervisor, a)
