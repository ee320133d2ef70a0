"""Wagtail hooks: a new disclosure site gets the standard directory columns and its editor and
reviewer groups; an editor of one site sees nothing of another (tenancy.py): explorer, page,
image and document choosers here, direct admin URLs in `tenancy.AdminTenancyMiddleware`. A public
view of a column or of a page in it is counted for the column (page_views.py)."""

from django.http import Http404
from wagtail import hooks

from . import page_views, tenancy
from .models import DisclosureSiteRoot


@hooks.register("after_create_page")
def create_directory(request, page):
    if isinstance(page.specific, DisclosureSiteRoot):
        from .page_actions import ensure_directory, ensure_site_groups

        ensure_directory(page.specific)
        ensure_site_groups(page.specific)


@hooks.register("construct_explorer_page_queryset")
def explorer_of_own_sites(parent_page, pages, request):
    return tenancy.restrict(pages, request.user)


@hooks.register("construct_page_chooser_queryset")
def chooser_of_own_sites(pages, request):
    return tenancy.restrict(pages, request.user)


@hooks.register("construct_image_chooser_queryset")
def image_chooser_of_own_sites(images, request):
    return tenancy.restrict_collected(images, request.user)


@hooks.register("construct_document_chooser_queryset")
def document_chooser_of_own_sites(documents, request):
    return tenancy.restrict_collected(documents, request.user)


def _not_found_if_foreign(request, page, *args, **kwargs):
    if tenancy.is_foreign(page, request.user):
        raise Http404("未找到该页面")


for _name in (
    "before_edit_page",
    "before_delete_page",
    "before_copy_page",
    "before_move_page",
    "before_unpublish_page",
):
    hooks.register(_name, _not_found_if_foreign)


@hooks.register("before_create_page")
def create_only_in_own_sites(request, parent_page, page_class):
    _not_found_if_foreign(request, parent_page)


# after every other before_serve_page hook (a hook that answers instead of the page stops the
# chain, so such a request is not counted)
@hooks.register("before_serve_page", order=100)
def count_page_view(page, request, serve_args, serve_kwargs):
    page_views.count_view(page, request)
