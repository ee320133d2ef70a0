"""Who files, for whom, and under which item and implementation: the checks `actions.submit`
runs before anything is written (reads only; the writes and their audit records stay in
actions.py)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from tongban.catalog import selectors as catalog
from tongban.catalog.models import ItemImplementation, ServiceItem
from tongban.core.errors import FieldError, NotFound
from tongban.identity.models import Enterprise, Region, User
from tongban.identity.selectors import active_membership

from . import permissions
from .constants import Channel
from .sources import Offer, material_source


def applicant_for(actor: User, applicant_id_number: str | None) -> tuple[User, str, User | None]:
    """(applicant, channel, filed_by): window staff file for a walk-in (帮办代办)."""
    if applicant_id_number:
        if not permissions.is_window_staff(actor):
            raise PermissionDenied("只有窗口工作人员可以代申请人提交")
        applicant = User.objects.filter(id_number=applicant_id_number.strip().upper()).first()
        if applicant is None:
            raise FieldError("applicant", "未找到该公民身份号码的注册用户，请先为申请人注册账号")
        return applicant, Channel.WINDOW, actor
    if not actor.id_number:
        raise PermissionDenied("工作人员账号不能以本人名义申请；窗口代办请填写申请人（applicant）")
    return actor, Channel.ONLINE, None


def enterprise_for(applicant: User, uscc: str | None) -> Enterprise | None:
    if not uscc:
        return None
    try:
        return active_membership(applicant, uscc).enterprise
    except NotFound as exc:
        raise FieldError("on_behalf_of", f"{exc.message}：{uscc}") from None


def check_audience(item: ServiceItem, enterprise: Enterprise | None, field: str = "on_behalf_of") -> None:
    if item.audience == "enterprise" and enterprise is None:
        raise FieldError(field, f"事项“{item.name}”的服务对象为法人，请填写所代表企业的统一社会信用代码")
    if item.audience == "person" and enterprise is not None:
        raise FieldError(field, f"事项“{item.name}”的服务对象为自然人，不能代表企业申请")


def resolve_item(code: str, region_code: str | None) -> tuple[ServiceItem, ItemImplementation]:
    impl = catalog.find_implementation(code, region_code)  # one query on the filing's hot path
    if impl is not None:
        return impl.item, impl
    try:
        item = catalog.get_item(code)
    except NotFound as exc:
        raise FieldError("item", exc.message) from None
    try:
        impl = catalog.implementation_of(item, region_code)
    except NotFound as exc:
        raise FieldError("region", exc.message) from None
    return item, impl


def nearest_implementation(item: ServiceItem, region: Region) -> ItemImplementation | None:
    """For a bundle: the item's implementation in the region, else in the nearest region above
    it (a city-level item of a district's bundle is handled by the city department)."""
    codes = [c for c in region.path.strip("/").split("/") if c]
    rows = {i.region_id: i for i in item.implementations.filter(active=True, region_id__in=codes)
            .select_related("department", "region")}
    return next((rows[c] for c in reversed(codes) if c in rows), None)


def reusable_uploads(applicant: User, enterprise: Enterprise | None,
                     rows: list[dict[str, Any]]) -> dict[str, list[Offer]]:
    """R12: the holder's confirmed materials offered again, by material name — from the material
    source (the licence library's vault when installed, `sources`), usable and expired entries
    newest first (`materials.plan` reuses a usable one and refuses an expired one with its
    date). One lookup for all the case's materials."""
    names: dict[str, list[str]] = {}
    for r in rows:
        code = (r.get("material_type") or {}).get("code")
        if code and r["source"].split(":", 1)[0] == "applicant":
            names.setdefault(code, []).append(r["name"])
    if not names:
        return {}
    offers = material_source().offers(applicant, enterprise, list(names))
    return {name: offers[code] for code, found in names.items() if code in offers for name in found}
