"""The catalogue's public pages, mounted at /services/ (see views.py)."""

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.index, name="index"),
    path("search", views.search, name="search"),
    path("suggest", views.suggest, name="suggest"),
    path("browse", views.browse, name="browse"),
    path("region", views.choose_region, name="region"),
    path("changes/", views.changes, name="changes"),
    path("bundles/", views.bundle_list, name="bundles"),
    path("bundles/<str:code>/", views.bundle, name="bundle"),
    path("bundles/<str:code>/situation", views.bundle_situation, name="bundle-situation"),
    path("<str:code>/", views.guide, name="guide"),
    path("<str:code>/situation", views.item_situation, name="situation"),
    path("<str:code>/versions/", views.versions, name="versions"),
    path("<str:code>/versions/<int:number>/", views.version, name="version"),
    path("<str:code>/diff", views.diff, name="diff"),
]
