"""The applicant's pages of cases, mounted at /cases/ (login required, like every page)."""

from django.urls import path

from . import apply_views, views

app_name = "cases"

urlpatterns = [
    path("", views.my_cases, name="mine"),
    path("apply/<str:code>/", apply_views.apply, name="apply"),
    path("apply/<str:code>/draft/", apply_views.autosave, name="apply-draft"),
    path("<str:number>/", views.track, name="track"),
    path("<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:number>/correction/", views.submit_correction, name="correction"),
    path("<str:number>/materials/<int:position>/upload/", views.upload, name="upload"),
    path("<str:number>/receipt/", views.receipt, name="receipt"),
    path("<str:number>/notices/<str:kind>.pdf", views.notice_pdf, name="notice"),
]
