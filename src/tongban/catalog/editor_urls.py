"""Editors' pages of the catalogue, mounted under /staff/catalog/ (staff session + TOTP)."""

from django.urls import path

from . import editor_views

app_name = "catalog_editor"

urlpatterns = [
    path("search-misses/", editor_views.search_misses, name="search-misses"),
    path("search-misses/<int:miss_id>/resolve/", editor_views.resolve_miss, name="resolve-miss"),
]
