"""Reads of the licence library, always scoped.

* A holder sees their own licences (a person's, and those of the enterprises they actively act
  for); `holder=` names another holder only for staff handling a case of that holder — the read
  is recorded in the audit trail (the holder's data-use tracker) — anyone else gets 404.
* Officer actions and documents: the holder, or staff of the issuing department whose region
  contains the licence's (actions: officers and heads only)."""

from __future__ import annotations

from typing import Any

from django.db import connections, router
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from tongban.catalog.models import LicenceType
from tongban.core import audit
from tongban.core.errors import NotFound
from tongban.core.masking import mask_id_number, mask_name
from tongban.identity.constants import Role
from tongban.identity.models import Department, EnterpriseMembership, Region
from tongban.identity.scoping import grants_of, is_admin

from . import seals
from .constants import HolderKind, Status
from .models import Licence, LicenceVersion, SealKey

HANDLER_ROLES = frozenset({Role.WINDOW, Role.OFFICER, Role.HEAD})
ACTION_ROLES = frozenset({Role.OFFICER, Role.HEAD})


def _iso(value) -> str | None:
    if value is None:
        return None
    if hasattr(value, "hour"):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


@audit.own_data("调用者本人作为经办人的企业")
def enterprises_of(user: Any) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(EnterpriseMembership.objects.filter(user=user, status=EnterpriseMembership.Status.ACTIVE)
                .values_list("enterprise_id", flat=True))


@audit.own_data("调用者本人及其企业的持证主体标识")
def own_holders(user: Any) -> set[str]:
    """The holder identifiers the user speaks for: their ID number and their enterprises' USCCs."""
    if not getattr(user, "is_authenticated", False):
        return set()
    found = set(enterprises_of(user))
    if user.id_number:
        found.add(user.id_number)
    return found


def _handling_case(user: Any, holder: str):
    """A case of `holder` (applicant's ID number or the enterprise filed for) that the staff
    member handles (their department, in their region and below), or None."""
    from tongban.cases.models import Case
    from tongban.identity.scoping import scope_filter

    if not any(g.role in HANDLER_ROLES for g in grants_of(user)) and not is_admin(user):
        return None
    condition = scope_filter(Case, user, owner=False)
    rows = Case.objects.all() if condition is None else Case.objects.filter(condition)
    return (rows.filter(Q(applicant__id_number=holder) | Q(on_behalf_of_id=holder))
            .order_by("-submitted_at").first())


@audit.personal_read("licences")
def licences_for(user: Any, holder: str = "", acting_for: str = "") -> QuerySet[Licence]:
    rows = Licence.objects.select_related("licence_type", "issuer", "region")
    mine = own_holders(user)
    if not holder:
        if acting_for and acting_for in mine:
            return rows.filter(holder_id=acting_for)
        return rows.filter(holder_id__in=sorted(mine))
    holder = holder.strip().upper()
    if holder in mine:
        return rows.filter(holder_id=holder)
    case = _handling_case(user, holder)
    if case is None:
        raise NotFound("未找到该持证主体的证照")
    audit.record_read("licences", subject_id=case.applicant_id, obj=case,
                      reason=f"查看办件 {case.number} 申请人的电子证照")
    return rows.filter(holder_id=holder)


@audit.scoped_lookup("遮蔽后的持证人")
def masked_holder(licence: Licence) -> str:
    if licence.holder_kind == HolderKind.ENTERPRISE:
        return f"{licence.holder_name}（{licence.holder_id}）"
    return f"{mask_name(licence.holder_name)}（{mask_id_number(licence.holder_id)}）"


@audit.scoped_lookup("证照列表行：持证人已遮蔽")
def list_row(licence: Licence) -> dict[str, Any]:
    status = licence.effective_status()
    return {
        "id": licence.pk, "number": licence.number, "type": licence.licence_type_id,
        "type_name": licence.licence_type.name, "holder": masked_holder(licence), "holder_kind": licence.holder_kind,
        "issuer": licence.issuer.name, "issuer_id": licence.issuer_id, "region": licence.region_id,
        "issued_on": _iso(licence.issued_on), "valid_from": _iso(licence.valid_from),
        "valid_to": _iso(licence.valid_until), "valid_until": _iso(licence.valid_until), "status": status,
        "status_name": Status(status).label, "verification_code": licence.verification_code,
        "version": licence.current_version, "source_case": licence.source_case_number or None,
        "verify_url": f"/verify/{licence.verification_code}",
    }


def _covers(grant, licence: Licence, roles: frozenset[str]) -> bool:
    return (grant.role in roles and grant.department_id == licence.issuer_id
            and licence.region.path.startswith(grant.region_path))


@audit.no_personal_data("权限判断")
def can_act(user: Any, licence: Licence) -> bool:
    return is_admin(user) or any(_covers(g, licence, ACTION_ROLES) for g in grants_of(user))


@audit.personal_read("licence")
def get_licence(user: Any, licence_id: int, *, for_action: bool = False) -> Licence:
    """The holder (reads only) or staff of the issuing department in scope; else NotFound."""
    licence = (Licence.objects.select_related("licence_type", "issuer", "region").filter(pk=licence_id).first())
    if licence is None:
        raise NotFound("未找到该证照")
    if for_action:
        if can_act(user, licence):
            return licence
        raise NotFound("未找到该证照")
    if licence.holder_id in own_holders(user):
        return licence
    if is_admin(user) or any(_covers(g, licence, HANDLER_ROLES) for g in grants_of(user)):
        audit.record_read("licence", subject_id=licence.holder_user_id, obj=licence,  # None: no account
                          reason=f"发证部门查看证照 {licence.number}")
        return licence
    raise NotFound("未找到该证照")


@audit.scoped_lookup("get_licence 之后的当前版本（读取已由 get_licence 记录）")
def current_version(licence: Licence) -> LicenceVersion:
    return licence.versions.select_related("seal_key").get(number=licence.current_version)


@audit.scoped_lookup("get_licence 之后的签章文件（读取已由 get_licence 记录）")
def signed_document(version: LicenceVersion) -> dict[str, Any]:
    return seals.document(version.data, version.seal, version.signature)


@audit.scoped_lookup("get_licence 之后的详情（读取已由 get_licence 记录）")
def detail(licence: Licence) -> dict[str, Any]:
    out = list_row(licence)
    out["versions"] = [{"number": v.number, "kind": v.kind, "kind_name": v.get_kind_display(), "status": v.status,
                        "at": _iso(v.at), "actor": v.actor_label, "reason": v.reason, "legal_basis": v.legal_basis,
                        "algorithm": v.algorithm, "key_id": v.seal_key.key_id}
                       for v in licence.versions.select_related("seal_key").order_by("number")]
    out["status_reason"], out["status_basis"] = licence.status_reason, licence.status_basis
    out["status_changed_at"] = _iso(licence.status_changed_at)
    return out


# The public verification's one query: the current version joined with its licence, the licence's
# type, issuer and region, and the seal key (public half) — only the columns the answer shows.
# Compiled once per database alias (Django's SQL compilation of this five-join query cost more
# than the lookup itself; the SQL never changes), then run with the code as its only parameter.
_VERIFY_COLUMNS = {
    LicenceVersion: ("id", "number", "algorithm", "data", "seal", "signature"),
    Licence: ("id", "licence_type_id", "number", "issuer_id", "region_id", "holder_kind", "holder_id",
              "holder_name", "issued_on", "valid_from", "valid_until", "status", "status_changed_at",
              "status_reason", "status_basis", "verification_code", "current_version"),
    LicenceType: ("code", "name"),
    Department: ("id", "name"),
    Region: ("code", "name"),
    SealKey: ("id", "key_id", "algorithm", "public_key", "status", "compromised_at"),
}
# in each model's field order, as Model.from_db takes them
_VERIFY_COLUMNS = {model: tuple(f.attname for f in model._meta.concrete_fields if f.attname in columns)
                   for model, columns in _VERIFY_COLUMNS.items()}
_VERIFY_PATHS = {LicenceVersion: "", Licence: "licence__", LicenceType: "licence__licence_type__",
                 Department: "licence__issuer__", Region: "licence__region__", SealKey: "seal_key__"}
_VERIFY_SQL: dict[str, tuple[str, list, int, list]] = {}


def _verify_statement(alias: str) -> tuple[str, list, int, list]:
    """(SQL, its parameters, the index of the code among them, the selected expressions) on `alias`."""
    known = _VERIFY_SQL.get(alias)
    if known is None:
        marker = "\x00verification-code\x00"
        names = [_VERIFY_PATHS[model] + column for model, columns in _VERIFY_COLUMNS.items() for column in columns]
        query = (LicenceVersion.objects.using(alias)
                 .filter(licence__verification_code=marker, number=F("licence__current_version"))
                 .order_by().values_list(*names)[:1]).query
        compiler = query.get_compiler(alias)
        sql, params = compiler.as_sql()
        params = list(params)
        known = _VERIFY_SQL[alias] = (sql, params, params.index(marker), [col for col, _, _ in compiler.select])
    return known


def _current_version_by_code(code: str) -> LicenceVersion | None:
    """The licence's current version by its verification code, with the licence, type, issuer,
    region and seal key attached (only the columns above: reading another field is a query)."""
    alias = router.db_for_read(LicenceVersion)
    sql, params, at, expressions = _verify_statement(alias)
    params = [code if i == at else p for i, p in enumerate(params)]
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for i, expression in enumerate(expressions):  # what the ORM applies: JSON decoding, SQLite dates
        for convert in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
            values[i] = convert(values[i], expression, connection)
    objects, i = {}, 0
    for model, columns in _VERIFY_COLUMNS.items():
        objects[model] = model.from_db(alias, columns, values[i:i + len(columns)])
        i += len(columns)
    licence, version = objects[Licence], objects[LicenceVersion]
    licence.licence_type, licence.issuer, licence.region = objects[LicenceType], objects[Department], objects[Region]
    version.licence, version.seal_key = licence, objects[SealKey]
    return version


@audit.scoped_lookup("公开核验：持证人已遮蔽")
def verification(code: str) -> dict[str, Any]:
    """The public answer for a verification code (no full identifiers: R4)."""
    version = _current_version_by_code(code) if code else None
    if version is None:
        raise NotFound("未找到")
    licence = version.licence
    check = seals.check(signed_document(version), {version.seal_key.key_id: version.seal_key})
    status = licence.effective_status()
    changed = licence.status_changed_at if status in (Status.REVOKED, Status.SUSPENDED) else None
    return {
        "status": status, "status_name": Status(status).label, "type": licence.licence_type_id,
        "type_name": licence.licence_type.name, "number": licence.number, "issuer": licence.issuer.name,
        "issuer_region": licence.region.name, "issued_on": _iso(licence.issued_on),
        "valid_from": _iso(licence.valid_from), "valid_to": _iso(licence.valid_until),
        "revoked_at": _iso(changed) if status == Status.REVOKED else None,
        "suspended_at": _iso(changed) if status == Status.SUSPENDED else None,
        "reason": licence.status_reason if changed else "", "legal_basis": licence.status_basis if changed else "",
        "version": version.number, "versions": licence.current_version,
        "version_label": f"第 {version.number} 版（共 {licence.current_version} 版）",
        "holder": masked_holder(licence), "holder_kind": licence.holder_kind,
        "signature_valid": check.valid, "signature": {**check.as_dict(), "signed_at": version.seal.get("signed_at")},
        "verification_code": licence.verification_code,
    }


@audit.scoped_lookup("公开状态列表：只问该部门是否发过证，返回部门，不返回任何证照或持证人")
def issuing_department(department: str) -> Department | None:
    """The department named in a status list URL, if it has issued any licence."""
    issued = Licence.objects.filter(issuer_id=OuterRef("pk"))
    return Department.objects.filter(Exists(issued), pk=department).first()  # one query
