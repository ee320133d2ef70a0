"""The officers' pages of cases, mounted under /staff/cases/ (staff session + TOTP)."""

from django.urls import path

from . import staff_views

app_name = "cases"

urlpatterns = [
    path("", staff_views.queue, name="queue"),
    path("new/", staff_views.walk_in, name="walk-in"),
    path("<str:number>/", staff_views.case_page, name="case"),
    path("<str:number>/<str:action>/", staff_views.act, name="act"),
]
