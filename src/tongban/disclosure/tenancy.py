"""Site isolation in the Wagtail admin: an editor whose groups hold page permissions on site A
sees nothing of site B — not in the explorer, the page chooser or admin search — and a direct
URL to B's pages answers 404 (never a hint that they exist). Superusers see every site.

A site's reach is decided by Wagtail's own `GroupPagePermission` rows (the site's editor and
reviewer groups, made by `page_actions.ensure_site_groups`): the disclosure sites the user holds
no permission in, and which hold none of the user's permitted pages, are foreign."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from wagtail.models import GroupPagePermission, Page

from .models import DisclosureSiteRoot


def _permitted_paths(user: Any) -> list[str]:
    cached = getattr(user, "_tongban_page_roots", None)
    if cached is None:
        cached = list(
            GroupPagePermission.objects.filter(group__user=user).values_list("page__path", flat=True).distinct()
        )
        user._tongban_page_roots = cached
    return cached


def foreign_site_paths(user: Any) -> list[str] | None:
    """Tree paths of the disclosure sites `user` must not see; None for superusers."""
    if getattr(user, "is_superuser", False):
        return None
    mine = _permitted_paths(user)
    foreign = []
    for path in DisclosureSiteRoot.objects.values_list("path", flat=True):
        if any(p.startswith(path) or path.startswith(p) for p in mine):
            continue  # a permission inside this site, or above it (a cluster-wide editor)
        foreign.append(path)
    return foreign


def restrict(pages: QuerySet, user: Any) -> QuerySet:
    foreign = foreign_site_paths(user)
    if not foreign:
        return pages
    excluded = Q()
    for path in foreign:
        excluded |= Q(path__startswith=path)
    return pages.exclude(excluded)


def is_foreign(page: Page, user: Any) -> bool:
    foreign = foreign_site_paths(user)
    return bool(foreign) and any(page.path.startswith(path) for path in foreign)


def holds_site(user: Any, site: Page) -> bool:
    """The user holds a Wagtail page permission in `site` or above it (the site's editor and
    reviewer groups, a cluster-wide editor)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return any(p.startswith(site.path) or site.path.startswith(p) for p in _permitted_paths(user))


# --- images and documents: each site's collection ----------------------------------------------


def foreign_collection_paths(user: Any) -> list[str]:
    """Tree paths of the collections that belong to sites foreign to `user`: those on which a
    foreign site's editor or reviewer group holds collection permissions (`ensure_site_groups`)."""
    foreign = foreign_site_paths(user)
    if not foreign:
        return []
    from wagtail.models import GroupCollectionPermission

    mine = set(GroupCollectionPermission.objects.filter(group__user=user).values_list("collection__path", flat=True))
    theirs = set(
        GroupCollectionPermission.objects.filter(group__page_permissions__page__path__in=foreign).values_list(
            "collection__path", flat=True
        )
    )
    return sorted(path for path in theirs if not any(path.startswith(m) for m in mine))


def restrict_collected(items: QuerySet, user: Any) -> QuerySet:
    """Images or documents (anything with a `collection`) outside the foreign sites' collections."""
    foreign = foreign_collection_paths(user) if not getattr(user, "is_superuser", False) else []
    if not foreign:
        return items
    from wagtail.models import Collection

    excluded = Q()
    for path in foreign:
        excluded |= Q(path__startswith=path)
    # by collection id: the chooser's search backend filters only on indexed fields (collection_id)
    return items.filter(collection_id__in=list(Collection.objects.exclude(excluded).values_list("pk", flat=True)))


# --- direct admin URLs ------------------------------------------------------------------------------

PAGE_KEYS = ("page_id", "parent_page_id", "page_to_move_id", "destination_id", "page_pk")
IMAGE_KEYS = ("image_id",)
DOCUMENT_KEYS = ("document_id", "doc_id")
PAGE_TYPES_USAGE = ("page_types_usage", "page_types_usage_results")


def _foreign_object(request: Any, namespace: str, kwargs: dict) -> bool:
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    user = request.user
    for key in PAGE_KEYS:
        if str(kwargs.get(key, "")).isdigit():
            page = Page.objects.filter(pk=kwargs[key]).only("path").first()
            if page is not None and is_foreign(page, user):
                return True
    checks = [(key, get_image_model()) for key in IMAGE_KEYS] + [(key, get_document_model()) for key in DOCUMENT_KEYS]
    if namespace.startswith("wagtailimages"):
        checks.append(("pk", get_image_model()))
    elif namespace.startswith("wagtaildocs"):
        checks.append(("pk", get_document_model()))
    for key, model in checks:
        if str(kwargs.get(key, "")).isdigit():
            item = model.objects.filter(pk=kwargs[key]).select_related("collection").first()
            if item is not None and not restrict_collected(model.objects.filter(pk=item.pk), user).exists():
                return True
    if namespace.startswith("wagtailadmin_collections") and str(kwargs.get("pk", "")).isdigit():
        collection = Collection.objects.filter(pk=kwargs["pk"]).first()
        if collection is not None and any(collection.path.startswith(p) for p in foreign_collection_paths(user)):
            return True
    return False


def page_types_usage_view(results_only: bool):
    """Wagtail's page types usage report counting and naming only the user's own sites' pages
    (Wagtail's counts every site's pages and names each type's last edited page, whichever
    site it is in)."""
    from django.db.models import Count, F, OuterRef, Subquery
    from wagtail.admin.auth import require_admin_access
    from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView

    class OwnSitesPageTypesUsage(PageTypesUsageReportView):
        def get_queryset(self):
            foreign = foreign_site_paths(self.request.user)
            queryset = super().get_queryset()
            if not foreign:
                return queryset
            outside, pages_outside = Q(), Q()
            for path in foreign:
                outside |= Q(path__startswith=path)
                pages_outside |= Q(pages__path__startswith=path)
            latest = (
                Page.objects.filter(content_type=OuterRef("pk"))
                .exclude(outside)
                .order_by(F("latest_revision_created_at").desc(nulls_last=True), "title", "-pk")
            )
            site_root = self.filters.form.cleaned_data.get("site", None) if self.filters else None
            if site_root:
                latest = latest.filter(path__startswith=site_root)
                pages_outside |= ~Q(pages__path__startswith=site_root)
            return queryset.annotate(
                count=Count("pages", filter=~pages_outside),
                last_edited_page_id=Subquery(latest.values("pk")[:1]),
            ).order_by("-count", "app_label", "model")

    return require_admin_access(OwnSitesPageTypesUsage.as_view(results_only=results_only))


class AdminTenancyMiddleware:
    """In the Wagtail admin, a URL naming another site's page, image, document or collection
    answers 404 to an editor of a different site — as if it did not exist — where Wagtail itself
    would redirect with "no permission" (a hint that it exists). Superusers are not affected."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django.http import Http404
        from django.urls import reverse

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_superuser:
            return None
        if not request.path.startswith(reverse("wagtailadmin_home")):
            return None
        match = request.resolver_match
        namespace = match.namespace if match else ""
        if view_kwargs and _foreign_object(request, namespace, view_kwargs):
            raise Http404("未找到该对象")
        if namespace == "wagtailadmin_reports" and match.url_name in PAGE_TYPES_USAGE and foreign_site_paths(user):
            return page_types_usage_view(match.url_name.endswith("_results"))(request, *view_args, **view_kwargs)
        return None
