"""Demo data of licences, loaded by `./tongban run` after cases (tongban.portal.demo).

The catalogue's demo register of holdings (catalog/demo_licences.py, `LicenceHolding`) is
imported into the library as sealed licences, so the library is the one source once
`TONGBAN_LICENCE_PROVIDER` points at it; demo cases already approved get their licences.
Idempotent: what is already in the library is left as it is."""

from __future__ import annotations

from tongban.catalog.models import LicenceHolding
from tongban.core.identifiers import IdentifierError, validate_id_number
from tongban.identity.models import Enterprise, User

from . import actions
from .constants import HolderKind, VersionKind
from .models import Licence


def import_holdings() -> int:
    added = 0
    known = set(Licence.objects.values_list("licence_type_id", "issuer_id", "number"))
    rows = LicenceHolding.objects.filter(revoked=False).select_related("licence_type", "issuer__region")
    for h in rows.order_by("pk"):
        if (h.licence_type_id, h.issuer_id, h.number) in known:
            continue
        try:
            validate_id_number(h.holder)
            kind = HolderKind.PERSON
        except IdentifierError:
            kind = HolderKind.ENTERPRISE
        actions.issue_licence(
            None, licence_type=h.licence_type, holder_kind=kind, holder_id=h.holder, holder_name=h.holder_name,
            issuer=h.issuer, region=h.issuer.region, number=h.number, issued_on=h.valid_from,
            valid_from=h.valid_from, valid_until=h.valid_to, kind=VersionKind.IMPORT, reason="导入既有持证记录",
            holder_user=User.objects.filter(id_number=h.holder).first() if kind == HolderKind.PERSON else None,
            holder_enterprise=Enterprise.objects.filter(uscc=h.holder).first() if kind == HolderKind.ENTERPRISE
            else None)
        added += 1
    return added


def food_licence() -> Licence | None:
    """The demo restaurant holds a 食品经营许可证 (the licences journey: it applies for 公共场所卫生
    许可 and its 营业执照 is fetched after the consent preview). Idempotent."""
    from tongban.catalog.models import LicenceType
    from tongban.identity.demo import DEMO_ENTERPRISE, make_uscc
    from tongban.identity.models import Department

    enterprise = Enterprise.objects.filter(uscc=make_uscc(DEMO_ENTERPRISE["region"], DEMO_ENTERPRISE["org"])).first()
    market = Department.objects.filter(pk="market").select_related("region").first()
    kind = LicenceType.objects.filter(pk="ZZ-SPJY").first()
    if enterprise is None or market is None or kind is None:
        return None
    found = Licence.objects.filter(licence_type=kind, holder_id=enterprise.uscc).first()
    if found is not None:
        return found
    return actions.issue_licence(
        None, licence_type=kind, holder_kind=HolderKind.ENTERPRISE, holder_id=enterprise.uscc,
        holder_name=enterprise.name, issuer=market, region=market.region, holder_enterprise=enterprise,
        fields={"经营场所": "大连市中山区人民路 1 号", "主体业态": "餐饮服务经营者", "经营项目": "热食类食品制售"})


def load() -> None:
    import_holdings()
    food_licence()
    from tongban.cases.models import Case

    for case in (Case.objects.filter(status="approved", item_version__isnull=False)
                 .select_related("item_version", "item", "department", "region", "applicant", "on_behalf_of")):
        actions.issue_for_case(case)
