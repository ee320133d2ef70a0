"""Pages of disclosure, included at the site root by tongban.urls (full paths here)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import feeds, site_views, views

rss, atom = login_not_required(feeds.SiteFeed()), login_not_required(feeds.AtomSiteFeed())

urlpatterns = [
    path("disclosure/annual-report/", views.annual_report, name="disclosure-annual-report"),
    path("disclosure/feeds/<slug:site>/rss.xml", rss, name="disclosure-feed-rss"),
    path("disclosure/feeds/<slug:site>/atom.xml", atom, name="disclosure-feed-atom"),
    path("disclosure/feeds/<slug:site>/<slug:column>/rss.xml", rss, name="disclosure-column-feed-rss"),
    path("disclosure/feeds/<slug:site>/<slug:column>/atom.xml", atom, name="disclosure-column-feed-atom"),
    path("disclosure/data/", views.open_data, name="disclosure-open-data"),
    path("disclosure/requests/", views.my_requests, name="disclosure-requests"),
    path("disclosure/requests/<str:number>/", views.track_request, name="disclosure-request"),
    path("disclosure/requests/<str:number>/reply.pdf", views.request_letter, name="disclosure-request-letter"),
    path("disclosure/sites/<slug:site>/messages/", site_views.site_messages, name="disclosure-site-messages"),
    path(
        "disclosure/sites/<slug:site>/messages/manage/",
        site_views.manage_messages,
        name="disclosure-site-messages-manage",
    ),
    path(
        "disclosure/sites/<slug:site>/messages/<int:message_id>/<slug:action>/",
        site_views.message_action,
        name="disclosure-site-message-action",
    ),
    path("disclosure/sites/<slug:site>/health/", site_views.site_health, name="disclosure-site-health"),
    path("disclosure/sites/<slug:site>/admin/", site_views.site_admin_page, name="disclosure-site-admin"),
    path(
        "disclosure/sites/<slug:site>/admin/staff/<slug:action>/",
        site_views.site_staff_action,
        name="disclosure-site-staff-action",
    ),
]
