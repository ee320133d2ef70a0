"""Django admin for `core`'s tables (系统管理).

The working-day calendar is the one thing administrators edit here (RULES R5): a year that
chinese-calendar does not know yet is entered as a `CalendarYear` with its holidays and
adjusted working days inline; every save is written to the audit trail.

The audit trail and its chain head are shown strictly read-only — no add, change or delete
for anyone, superusers included (ADR 0005: the trail is append-only, and only the sealer
writes `seq`/`hash`). Idempotency keys are likewise only looked at.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from . import audit
from .calendar import library_calendar
from .models import AuditChainHead, AuditRecord, CalendarDay, CalendarYear, IdempotencyRecord

# --- working-day calendar (R5) ------------------------------------------------------------------


class CalendarDayFormSet(forms.BaseInlineFormSet):
    """Each day must lie in the year it is entered under; an adjusted working day (调休上班)
    only means something on a weekend; a year the library already knows is replaced whole by
    the entry, so it must come with its holidays."""

    def clean(self) -> None:
        super().clean()
        year = self.instance.year
        holidays = 0
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            day, kind = data.get("date"), data.get("kind")
            if not day or data.get("DELETE"):
                continue
            if year and day.year != year:
                form.add_error("date", f"日期须在{year}年内")
            if kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
                form.add_error("kind", "调休上班日应为周六或周日；工作日本来就上班")
            holidays += kind == CalendarDay.Kind.HOLIDAY
        if year in library_calendar().years and not holidays:
            raise ValidationError(
                f"{year}年的节假日已由 chinese-calendar 提供；在此录入将完全替代库中的安排，"
                f"请同时录入该年全部法定节假日和调休上班日")


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    formset = CalendarDayFormSet
    fields = ("date", "kind", "name")
    extra = 3
    verbose_name = "节假日或调休上班日"
    verbose_name_plural = "节假日与调休（周一至周五默认上班、周六周日默认休息，此处只录入例外）"


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    inlines = [CalendarDayInline]
    list_display = ("year", "source", "holiday_count", "workday_count", "entered")
    search_fields = ("source",)
    fields = ("year", "source", "entered")
    readonly_fields = ("entered",)

    @admin.display(description="录入时间", ordering="entered_at")
    def entered(self, obj: CalendarYear) -> Any:
        return obj.entered_at

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarYear]:
        return super().get_queryset(request).annotate(
            holidays=Count("days", filter=Q(days__kind=CalendarDay.Kind.HOLIDAY)),
            workdays=Count("days", filter=Q(days__kind=CalendarDay.Kind.WORKDAY)),
        )

    @admin.display(description="节假日天数", ordering="holidays")
    def holiday_count(self, obj: Any) -> int:
        return obj.holidays

    @admin.display(description="调休上班天数", ordering="workdays")
    def workday_count(self, obj: Any) -> int:
        return obj.workdays

    def get_readonly_fields(self, request: HttpRequest, obj: CalendarYear | None = None) -> tuple[str, ...]:
        # The year is the primary key: editing it would save a second year, not rename this one.
        return ("year", *self.readonly_fields) if obj else self.readonly_fields

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        year = form.instance
        days = list(year.days.order_by("date").values_list("date", "kind"))
        audit.record("core.calendar.year.save", obj=year, actor=request.user, data={
            "source": year.source,
            "holidays": [d.isoformat() for d, k in days if k == CalendarDay.Kind.HOLIDAY],
            "workdays": [d.isoformat() for d, k in days if k == CalendarDay.Kind.WORKDAY],
        })

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        audit.record("core.calendar.year.delete", obj=obj, actor=request.user, data={"year": obj.year})
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        for year in queryset:
            audit.record("core.calendar.year.delete", obj=year, actor=request.user, data={"year": year.year})
        super().delete_queryset(request, queryset)


# --- read-only tables ---------------------------------------------------------------------------


def shown(field: str, label: str) -> Callable[[Any, Any], Any]:
    """A read-only column with a Chinese heading, for model fields declared without one."""

    @admin.display(description=label, ordering=field)
    def show(admin_: Any, obj: Any) -> Any:
        choices = getattr(obj, f"get_{field}_display", None)
        return choices() if choices else getattr(obj, field)

    return show


class KindFilter(admin.ChoicesFieldListFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = "类别"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable by staff holding the view permission; nobody adds, changes or deletes."""

    actions = None
    show_full_result_count = False  # the audit trail grows without bound; skip the COUNT(*)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    at = shown("created_at", "时间")
    kind_ = shown("kind", "类别")
    actor = shown("actor_label", "操作人")
    actor_id_ = shown("actor_id", "操作人编号")
    for_enterprise = shown("on_behalf_of", "代表的企业")
    department_ = shown("department", "部门")
    object_type_ = shown("object_type", "对象类型")
    object_id_ = shown("object_id", "对象编号")
    subject = shown("subject_id", "数据主体")
    ip_ = shown("ip", "来源地址")
    seq_ = shown("seq", "链序号")
    prev_hash_ = shown("prev_hash", "前一条哈希")
    hash_ = shown("hash", "本条哈希")

    @admin.display(description="内容")
    def content(self, obj: AuditRecord) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.data, ensure_ascii=False, indent=2))

    list_display = ("at", "kind_", "action", "actor", "object_type_", "object_id_", "subject", "seq_")
    list_filter = (("kind", KindFilter),)
    search_fields = ("action", "actor_label", "object_id", "=on_behalf_of")
    search_help_text = "按动作、操作人、对象编号或代表的企业（统一社会信用代码）检索"
    ordering = ("-created_at", "-id")
    fields = ("at", "kind_", "action", "actor", "actor_id_", "for_enterprise", "department_", "object_type_",
              "object_id_", "subject", "reason", "ip_", "content", "seq_", "prev_hash_", "hash_")
    readonly_fields = fields


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(ReadOnlyAdmin):
    name_ = shown("name", "链名")
    last_seq_ = shown("last_seq", "最后封存序号")
    last_hash_ = shown("last_hash", "最后封存哈希")
    updated = shown("updated_at", "更新时间")

    list_display = fields = readonly_fields = ("name_", "last_seq_", "last_hash_", "updated")


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    at = shown("created_at", "时间")
    key_ = shown("key", "幂等键")
    caller_ = shown("caller", "调用方")
    method_ = shown("method", "方法")
    path_ = shown("path", "路径")
    status_ = shown("status", "响应状态")
    request_hash_ = shown("request_hash", "请求摘要")

    list_display = ("at", "caller_", "method_", "path_", "status_")
    search_fields = ("=key", "=caller", "path")
    search_help_text = "按幂等键、调用方或路径检索"
    ordering = ("-created_at",)
    # The stored response body may hold personal data; the key, caller and outcome are enough here.
    fields = readonly_fields = ("at", "key_", "caller_", "method_", "path_", "request_hash_", "status_")
