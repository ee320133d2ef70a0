"""Django admin for reviews: the reason tags are edited here (the national list is seeded by
migration 0002); deactivating a tag keeps it on past reviews. Each save is audited. Reviews
themselves are read-only here: they change only through `reviews.actions`."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from tongban.core import audit

from .models import ReasonTag


@admin.register(ReasonTag)
class ReasonTagAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "min_level", "max_level", "position", "active")
    list_editable = ("position", "active")
    list_filter = ("active", "max_level")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(f"reviews.admin.tag.{'change' if change else 'add'}", obj=obj, actor=request.user,
                         data={"fields": sorted(form.changed_data)})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: past reviews keep their tags
