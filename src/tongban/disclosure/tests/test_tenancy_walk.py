"""Multi-tenancy walk (issue 7): signed in to the Wagtail admin (/cms/) as site A's editor, every
admin listing, chooser, search, report and log shows nothing of site B, and every URL naming one
of B's pages, images, documents or its collection answers 404. The same walk as a superuser does
show B's objects, so the assertions can fail."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Collection, Page

from tongban.disclosure import page_actions
from tongban.disclosure.models import PolicyDocumentPage
from tongban.testing import staff_session

MARK = "西岗区机密XG"  # in every title of site B's objects
Q = "机密XG"  # what the searches ask for: echoed in the search box, never the whole mark


@pytest.fixture
def tenancy(db, cast):
    from django.contrib.auth.models import Group
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    cast.admin.is_superuser = cast.admin.is_staff = True
    cast.admin.save()
    home = Page.objects.filter(depth=2).order_by("path").first()
    a = page_actions.create_site(home, title="中山区政府信息公开", slug="gk-zs")
    b = page_actions.create_site(home, title=f"{MARK}站点", slug="gk-xg")
    column_b = b.get_children().first().specific
    doc_b = page_actions.add_page(
        column_b, PolicyDocumentPage(title=f"{MARK}文件", slug="xg-doc", body="<p>西岗区的文件正文</p>")
    )
    revision = doc_b.save_revision(user=cast.admin, log_action=True)
    revision.publish(user=cast.admin)
    doc_b.refresh_from_db()
    doc_b.save_revision(user=cast.admin, log_action=True)  # a draft change: B's site history has two entries
    Page.objects.filter(pk=doc_b.pk).update(locked=True, locked_by=cast.admin, locked_at=timezone.now())
    collection_b = Collection.objects.get(name=f"{b.title}（{b.pk}）")
    image_b = get_image_model().objects.create(title=f"{MARK}图片", file=get_test_image_file(), collection=collection_b)
    file_b = get_document_model().objects.create(
        title=f"{MARK}附件", file=ContentFile(b"%PDF-1.4 x", name="xg.pdf"), collection=collection_b
    )
    column_a = a.get_children().first().specific
    doc_a = page_actions.add_page(column_a, PolicyDocumentPage(title="中山区文件", slug="zs-doc", body="<p>x</p>"))
    editor = cast.editor
    editor.groups.add(Group.objects.get(name=f"{a.title}（{a.pk}）编辑"))
    return {
        "a": a,
        "b": b,
        "column_b": column_b,
        "doc_b": doc_b,
        "doc_a": doc_a,
        "image_b": image_b,
        "file_b": file_b,
        "collection_b": collection_b,
        "home": home,
        "editor": editor,
    }


def _verified(client, user):
    """Signed in with the second factor done (staff pages need TOTP)."""
    return staff_session(user, client)


def listings(t) -> list[str]:
    """Every admin listing, chooser, search, report and log an editor may open."""
    home, a = t["home"].pk, t["a"].pk
    return [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore_root"),
        reverse("wagtailadmin_explore", args=[home]),
        reverse("wagtailadmin_explore", args=[a]),
        reverse("wagtailadmin_pages:search") + f"?q={Q}",
        reverse("wagtailadmin_pages:search_results") + f"?q={Q}",
        reverse("wagtailadmin_choose_page"),
        reverse("wagtailadmin_choose_page_child", args=[home]),
        reverse("wagtailadmin_choose_page_search") + f"?q={Q}",
        reverse("wagtailimages:index"),
        reverse("wagtailimages:index_results") + f"?q={Q}",
        reverse("wagtailimages_chooser:choose"),
        reverse("wagtailimages_chooser:choose_results") + f"?q={Q}",
        reverse("wagtaildocs:index"),
        reverse("wagtaildocs:index_results") + f"?q={Q}",
        reverse("wagtaildocs_chooser:choose"),
        reverse("wagtaildocs_chooser:choose_results") + f"?q={Q}",
        reverse("wagtailsnippets:index"),
        reverse("wagtailusers_users:index") + f"?q={Q}",
        reverse("wagtailusers_groups:index"),
        reverse("wagtailadmin_reports:locked_pages"),
        reverse("wagtailadmin_reports:aging_pages"),
        reverse("wagtailadmin_reports:site_history"),
        reverse("wagtailadmin_reports:site_history_results"),
        reverse("wagtailadmin_reports:page_types_usage"),
        reverse("wagtailadmin_reports:workflow"),
        reverse("wagtailadmin_reports:workflow_tasks"),
        reverse("wagtailadmin_workflows:index"),
        reverse("wagtailadmin_workflows:task_index"),
        reverse("wagtailadmin_collections:index"),
        reverse("wagtailsites:index"),
        reverse("wagtailsettings:edit", args=["wagtailcore", "site"]) if _has("wagtailsettings:edit") else "",
    ]


def foreign_urls(t) -> list[str]:
    """URLs naming one of site B's objects."""
    doc, column, image, file = t["doc_b"].pk, t["column_b"].pk, t["image_b"].pk, t["file_b"].pk
    return [
        reverse("wagtailadmin_explore", args=[t["b"].pk]),
        reverse("wagtailadmin_explore", args=[column]),
        reverse("wagtailadmin_pages:edit", args=[doc]),
        reverse("wagtailadmin_pages:history", args=[doc]),
        reverse("wagtailadmin_pages:revisions_index", args=[doc]),
        reverse("wagtailadmin_pages:delete", args=[doc]),
        reverse("wagtailadmin_pages:copy", args=[doc]),
        reverse("wagtailadmin_pages:move", args=[doc]),
        reverse("wagtailadmin_pages:unpublish", args=[doc]),
        reverse("wagtailadmin_pages:usage", args=[doc]),
        reverse("wagtailadmin_pages:add_subpage", args=[column]),
        reverse("wagtailadmin_choose_page_child", args=[column]),
        reverse("wagtailimages:edit", args=[image]),
        reverse("wagtailimages:delete", args=[image]),
        reverse("wagtailimages_chooser:chosen", args=[image]),
        reverse("wagtaildocs:edit", args=[file]),
        reverse("wagtaildocs:delete", args=[file]),
        reverse("wagtaildocs_chooser:chosen", args=[file]),
        reverse("wagtailadmin_collections:edit", args=[t["collection_b"].pk]),
    ]


def _has(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name, args=["wagtailcore", "site"])
    except NoReverseMatch:
        return False
    return True


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return ""
    return response.content.decode(errors="ignore")


def test_site_a_editor_sees_nothing_of_site_b_in_any_listing_chooser_report_or_log(tenancy, client):
    _verified(client, tenancy["editor"])
    seen_own = False
    for url in filter(None, listings(tenancy)):
        response = client.get(url)
        assert response.status_code in (200, 302, 403), (url, response.status_code)
        body = _text(response)
        assert MARK not in body, f"{url} shows site B"
        seen_own |= "中山区" in body
    assert seen_own  # the walk did reach pages that list site A


@pytest.mark.parametrize("index", range(19))
def test_site_b_object_urls_answer_404_to_site_a_editor(tenancy, client, index):
    urls = foreign_urls(tenancy)
    assert len(urls) == 19
    _verified(client, tenancy["editor"])
    response = client.get(urls[index])
    assert response.status_code == 404, (urls[index], response.status_code)
    assert MARK not in _text(response)


def test_site_a_objects_stay_reachable_to_its_editor(tenancy, client):
    _verified(client, tenancy["editor"])
    assert client.get(reverse("wagtailadmin_pages:edit", args=[tenancy["doc_a"].pk])).status_code == 200
    assert client.get(reverse("wagtailadmin_explore", args=[tenancy["a"].pk])).status_code == 200


def test_superuser_walk_does_show_site_b(tenancy, client, cast):
    _verified(client, cast.admin)
    bodies = "".join(_text(client.get(url)) for url in filter(None, listings(tenancy)))
    for title in (tenancy["doc_b"].title, tenancy["image_b"].title, tenancy["file_b"].title):
        assert title in bodies
    assert client.get(reverse("wagtailadmin_pages:edit", args=[tenancy["doc_b"].pk])).status_code == 200
    assert client.get(reverse("wagtailimages:edit", args=[tenancy["image_b"].pk])).status_code == 200


def test_site_a_administrator_walk_shows_nothing_of_site_b(tenancy, client, cast):
    """A site's administrator (site_admin.py) has more rights in its own site than an editor and
    exactly as little of any other: the same walk, and every URL naming B's objects is a 404."""
    from tongban.disclosure import site_admin

    boss = cast.officer_a
    site_admin.site_group(tenancy["a"], "admin").user_set.add(boss)
    _verified(client, boss)
    for url in filter(None, listings(tenancy)):
        response = client.get(url)
        assert response.status_code in (200, 302, 403), (url, response.status_code)
        assert MARK not in _text(response), f"{url} shows site B"
    for url in foreign_urls(tenancy):
        response = client.get(url)
        assert response.status_code == 404, (url, response.status_code)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[tenancy["doc_a"].pk])).status_code == 200
    assert client.get(reverse("wagtailadmin_pages:lock", args=[tenancy["doc_a"].pk])).status_code in (200, 302, 405)
