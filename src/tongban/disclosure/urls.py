"""Pages of disclosure, included at the site root by tongban.urls (full paths here)."""

from django.urls import path

from . import views

urlpatterns = [
    path("disclosure/annual-report/", views.annual_report, name="disclosure-annual-report"),
    path("disclosure/requests/", views.my_requests, name="disclosure-requests"),
    path("disclosure/requests/<str:number>/", views.track_request, name="disclosure-request"),
    path("disclosure/requests/<str:number>/reply.pdf", views.request_letter, name="disclosure-request-letter"),
]
