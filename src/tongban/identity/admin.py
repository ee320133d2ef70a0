"""Django admin for identity (系统管理 · 身份与组织).

What administrators may do here, and nothing more:

* accounts: look people up, deactivate or reactivate an account, set the real-name level.
  Accounts are created by registration and `create_staff`, never here; password hashes are
  not shown, and ID numbers and phones are masked (RULES R4) on every page;
* staff roles, departments, regions and enterprises: maintained here, each save audited;
* enterprise authorisations: approved or refused through `actions.decide_membership`;
* API tokens: listed (the stored digest only) and revoked through `actions.revoke_token`;
* the SMS outbox of the development backend: read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from tongban.core import audit
from tongban.core.errors import Conflict
from tongban.core.masking import mask_id_number, mask_phone

from . import actions
from .models import ApiToken, Department, Enterprise, EnterpriseMembership, Region, SmsMessage, StaffRole, User
from .scoping import is_admin


class AuditedAdmin(admin.ModelAdmin):
    """Every save and delete made in the admin is written to the audit trail."""

    audit_prefix = ""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(f"{self.audit_prefix}.{'change' if change else 'add'}", obj=obj, actor=request.user,
                         data={"fields": sorted(form.changed_data)})

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit.record(f"{self.audit_prefix}.delete", obj=obj, actor=request.user, data={"label": str(obj)})
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit.record(f"{self.audit_prefix}.delete", obj=obj, actor=request.user, data={"label": str(obj)})
            super().delete_queryset(request, queryset)


class NoAddNoDelete:
    def has_decide_permission(self, request: HttpRequest) -> bool:
        """Decisions (approve, refuse, revoke) go through actions that only administrators pass."""
        return is_admin(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- accounts -------------------------------------------------------------------------------------

class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    fields = ("role", "department", "region", "granted_at")
    readonly_fields = ("role", "department", "region", "granted_at")
    extra = 0
    can_delete = False
    verbose_name_plural = "工作角色（在“工作人员角色”中授予或收回）"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(NoAddNoDelete, AuditedAdmin):
    audit_prefix = "identity.admin.user"
    list_display = ("account", "name", "kind", "id_number_masked", "phone_masked", "real_name_level",
                    "is_active", "last_login")
    list_filter = ("kind", "real_name_level", "is_active")
    # Exact matches only: an administrator finds a person by a number they were given, but
    # cannot browse numbers by fragment.
    search_fields = ("=username", "name", "=id_number", "=phone")
    search_help_text = "按账号、姓名，或完整的公民身份号码、手机号检索"
    ordering = ("kind", "username")
    fields = ("account", "name", "kind", "id_number_masked", "phone_masked", "real_name_level", "is_active",
              "is_staff", "is_superuser", "date_joined", "last_login")
    readonly_fields = ("account", "name", "kind", "id_number_masked", "phone_masked", "is_staff", "is_superuser",
                       "date_joined", "last_login")
    inlines = [StaffRoleInline]
    actions = ["deactivate"]

    @admin.display(description="账号", ordering="username")
    def account(self, obj: User) -> str:
        # A natural person's username is their ID number.
        return mask_id_number(obj.username) if obj.username == obj.id_number else obj.username

    @admin.display(description="公民身份号码")
    def id_number_masked(self, obj: User) -> str:
        return mask_id_number(obj.id_number) or "—"

    @admin.display(description="手机号")
    def phone_masked(self, obj: User) -> str:
        return mask_phone(obj.phone) or "—"

    @admin.action(description="停用所选账号")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        with transaction.atomic():
            for user in queryset.filter(is_active=True).exclude(pk=request.user.pk):
                User.objects.filter(pk=user.pk).update(is_active=False)
                audit.record("identity.admin.user.deactivate", obj=user, subject_id=user.pk, actor=request.user)
        self.message_user(request, "所选账号已停用（不能停用自己的账号）", messages.SUCCESS)


# --- organisation ---------------------------------------------------------------------------------

@admin.register(StaffRole)
class StaffRoleAdmin(AuditedAdmin):
    audit_prefix = "identity.admin.staff_role"
    list_display = ("user", "role", "department", "region", "granted_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__name", "department__name", "region__name")
    autocomplete_fields = ("user", "department", "region")
    list_select_related = ("user", "department", "region")

    def get_readonly_fields(self, request: HttpRequest, obj: StaffRole | None = None) -> tuple[str, ...]:
        # A role is granted or taken away, not moved to another person.
        return ("user",) if obj else ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(kind="staff")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    audit_prefix = "identity.admin.department"
    list_display = ("name", "id", "abbr", "region", "uscc", "parent")
    search_fields = ("name", "id", "abbr", "=uscc")
    list_select_related = ("region", "parent")
    autocomplete_fields = ("region", "parent")


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    audit_prefix = "identity.admin.region"
    list_display = ("code", "name", "level", "kind", "synthetic")
    list_filter = ("level", "synthetic")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)

    def get_readonly_fields(self, request: HttpRequest, obj: Region | None = None) -> tuple[str, ...]:
        # The code is the primary key and every path below it starts with it.
        return ("code", "parent") if obj else ()


# --- enterprises ----------------------------------------------------------------------------------

class MembershipInline(admin.TabularInline):
    model = EnterpriseMembership
    fields = ("user", "role", "status", "requested_at", "decided_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(AuditedAdmin):
    audit_prefix = "identity.admin.enterprise"
    list_display = ("name", "uscc", "legal_representative", "region", "created_at")
    search_fields = ("name", "=uscc", "legal_representative")
    list_select_related = ("region",)
    autocomplete_fields = ("region",)
    inlines = [MembershipInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Enterprise | None = None) -> tuple[str, ...]:
        return ("uscc", "created_at") if obj else ("created_at",)


@admin.register(EnterpriseMembership)
class EnterpriseMembershipAdmin(NoAddNoDelete, admin.ModelAdmin):
    """Requests to act for an enterprise; decided with the same action the legal
    representative uses."""

    list_display = ("user", "enterprise", "role", "status", "requested_at", "decided_at")
    list_filter = ("status", "role")
    search_fields = ("=enterprise__uscc", "enterprise__name", "user__name")
    list_select_related = ("user", "enterprise")
    fields = readonly_fields = ("user", "enterprise", "role", "status", "requested_at", "decided_at")
    actions = ["approve", "refuse"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _decide(self, request: HttpRequest, queryset: QuerySet[EnterpriseMembership], approve: bool) -> None:
        done = skipped = 0
        for membership in queryset.select_related("enterprise"):
            try:
                actions.decide_membership(request.user, membership, approve=approve)
                done += 1
            except Conflict:
                skipped += 1
        self.message_user(request, f"已处理 {done} 项" + (f"，{skipped} 项此前已处理，未变更" if skipped else ""),
                          messages.SUCCESS if done else messages.WARNING)

    @admin.action(description="批准所选授权申请", permissions=["decide"])
    def approve(self, request: HttpRequest, queryset: QuerySet[EnterpriseMembership]) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description="拒绝所选授权申请", permissions=["decide"])
    def refuse(self, request: HttpRequest, queryset: QuerySet[EnterpriseMembership]) -> None:
        self._decide(request, queryset, approve=False)


# --- tokens and the SMS outbox -----------------------------------------------------------------

@admin.register(ApiToken)
class ApiTokenAdmin(NoAddNoDelete, admin.ModelAdmin):
    list_display = ("prefix_", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("=prefix", "user__username", "name")
    list_select_related = ("user",)
    fields = readonly_fields = ("prefix_", "user", "name", "digest", "created_at", "expires_at", "last_used_at",
                                "revoked_at")
    actions = ["revoke"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="前缀", ordering="prefix")
    def prefix_(self, obj: ApiToken) -> str:
        return f"{obj.prefix}…"

    @admin.action(description="吊销所选令牌", permissions=["decide"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            actions.revoke_token(request.user, token)
        self.message_user(request, "所选令牌已吊销", messages.SUCCESS)


@admin.register(SmsMessage)
class SmsMessageAdmin(NoAddNoDelete, admin.ModelAdmin):
    list_display = ("created_at", "phone_masked", "text")
    search_fields = ("=phone",)
    search_help_text = "按完整手机号检索"
    fields = readonly_fields = ("created_at", "phone_masked", "text")
    ordering = ("-created_at",)
    actions = None

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="手机号")
    def phone_masked(self, obj: SmsMessage) -> str:
        return mask_phone(obj.phone)
