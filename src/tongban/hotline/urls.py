"""Pages of hotline, included at the site root by tongban.urls (full paths here)."""

from django.urls import path

from . import open311, views

urlpatterns = [
    path("open311/v2/services.json", open311.services, name="open311-services"),
    path("open311/v2/requests.json", open311.requests_view, name="open311-requests"),
    path("open311/v2/requests/<str:number>.json", open311.request_detail, name="open311-request"),
    path("hotline/track", views.track, name="hotline-track"),
    path("hotline/operator/", views.operator, name="hotline-operator"),
    path("hotline/operator/suggest", views.operator_suggest, name="hotline-operator-suggest"),
    path("hotline/callback/<str:token>", views.callback_link, name="hotline-callback"),
    path("hotline/knowledge/", views.knowledge_page, name="hotline-knowledge"),
    path("hotline/knowledge/<int:pk>/", views.knowledge_article, name="hotline-article"),
    path("hotline/queue/", views.queue_page, name="hotline-queue"),
    path("hotline/urgings/", views.urgings_page, name="hotline-urgings"),
    path("hotline/tickets/<str:number>/", views.ticket_page, name="hotline-ticket"),
    path("hotline/stats/", views.stats_page, name="hotline-stats"),
    path("hotline/exposure/", views.exposure_page, name="hotline-exposure"),
]
