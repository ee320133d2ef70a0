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
]
