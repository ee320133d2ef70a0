"""URL map. Deny by default: LoginRequiredMiddleware guards every Django view; the views
below that must be reachable anonymously say so with `login_not_required`, and the API
authenticates by itself (401, never a redirect)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.urls.resolvers import URLPattern, URLResolver
from django.views.generic import RedirectView
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from tongban.api import api
from tongban.identity import oidc
from tongban.portal import views as portal_views


def _public(patterns: list) -> list:
    """Mark every view under `patterns` as handling its own authentication."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _public(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            entry.callback = login_not_required(entry.callback)
    return patterns


api_patterns, api_app, api_namespace = api.urls
admin.site.site_header = "通办 · 系统管理"
admin.site.site_title = "通办系统管理"

urlpatterns = [
    path("api/", include((_public(api_patterns), api_app), namespace=api_namespace)),
    re_path(r"^api/", portal_views.api_not_found),  # unknown API routes: JSON 404, not a CMS page
    path(".well-known/openid-configuration", oidc.DiscoveryView.as_view(), name="oidc-discovery"),
    path("oauth/", include("tongban.identity.oidc_urls", namespace="oauth2_provider")),
    path("accounts/", include("tongban.identity.urls")),
    path("staff/", include("tongban.identity.staff_urls")),
    path("accessibility/elder/", portal_views.toggle_elder_mode, name="elder-mode"),
    path("healthz", portal_views.healthz, name="healthz"),
    path("services/forms/", include("tongban.catalog.file_urls")),  # sample and blank forms (public files)
    path("services/", include("tongban.catalog.urls")),  # the catalogue's public pages
    path("cases/", include("tongban.cases.urls")),
    # the later apps' pages; each app's urls.py spells its full paths
    path("", include("tongban.licences.urls")),
    path("", include("tongban.exchange.urls")),
    path("", include("tongban.disclosure.urls")),
    path("", include("tongban.hotline.urls")),
    path("", include("tongban.reviews.urls")),
    path("", include("tongban.oversight.urls")),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Wagtail's name for the sign-in of a page under a login view restriction: the platform's own
    # (settings.WAGTAIL_FRONTEND_LOGIN_URL sends there directly; Wagtail still looks the name up).
    path("_util/login/", RedirectView.as_view(pattern_name="identity:login", query_string=True),
         name="wagtailcore_login"),
    # A page under a password view restriction posts its password here (public: the password is the grant).
    path("_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
         login_not_required(wagtail_views.authenticate_with_password), name="wagtailcore_authenticate_with_password"),
    # Wagtail serves the portal's pages (public).
    path("", login_not_required(wagtail_views.serve), {"path": ""}, name="portal-home"),
    re_path(r"^((?:[\w\-]+/)*)$", login_not_required(wagtail_views.serve), name="wagtail_serve"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler500 = "tongban.core.views.server_error"
