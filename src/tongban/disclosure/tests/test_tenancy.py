"""Site cluster: an editor of site A sees nothing of site B in the admin's explorer, chooser
and search querysets, and B's pages answer 404 to A's editor."""

import pytest
from django.http import Http404
from django.test import RequestFactory
from wagtail.models import Page

from tongban.disclosure import page_actions, wagtail_hooks
from tongban.disclosure.models import PolicyDocumentPage


@pytest.fixture
def two_sites(db):
    home = Page.objects.filter(depth=2).order_by("path").first()
    a = page_actions.create_site(home, title="中山区政府信息公开", slug="gk-zs")
    b = page_actions.create_site(home, title="西岗区政府信息公开", slug="gk-xg")
    return a, b


def test_site_groups_are_made_with_permissions_on_their_own_tree(two_sites):
    from wagtail.models import GroupPagePermission

    a, _ = two_sites
    rows = GroupPagePermission.objects.filter(page=a)
    assert {r.group.name.rsplit("）", 1)[1] for r in rows} == {"编辑", "审核", "管理员"}
    assert rows.filter(permission__codename="publish_page").count() == 2  # the reviewers and the administrators
    assert rows.filter(permission__codename="lock_page").count() == 1


def test_editor_of_site_a_sees_nothing_of_site_b(two_sites, cast):
    a, b = two_sites
    column_b = b.get_children().first()
    doc_b = page_actions.add_page(column_b, PolicyDocumentPage(title="西岗区文件", slug="xg-doc", body="<p>x</p>"))
    editor = cast.editor
    editor.groups.add(_group(a, "编辑"))
    request = RequestFactory().get("/admin/")
    request.user = editor
    pages = wagtail_hooks.explorer_of_own_sites(None, Page.objects.all(), request)
    assert pages.filter(pk=a.pk).exists() and pages.descendant_of(a).exists()
    assert not pages.filter(pk__in=[b.pk, column_b.pk, doc_b.pk]).exists()
    assert not wagtail_hooks.chooser_of_own_sites(Page.objects.all(), request).filter(pk=doc_b.pk).exists()
    with pytest.raises(Http404):
        wagtail_hooks._not_found_if_foreign(request, doc_b)
    wagtail_hooks._not_found_if_foreign(request, a)  # own site: no error
    cast.admin.is_superuser = True
    request.user = cast.admin
    assert wagtail_hooks.chooser_of_own_sites(Page.objects.all(), request).filter(pk=doc_b.pk).exists()


def _group(site, role):
    from django.contrib.auth.models import Group

    return Group.objects.get(name=f"{site.title}（{site.pk}）{role}")
