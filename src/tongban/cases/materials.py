"""The material list of a case and how each material is provided (R10–R12).

The list is the item version's list narrowed by the scenario answers (catalog.guides); nothing
outside it may be attached or demanded (R11). A material sourced from a licence type the
holder holds is `fetched` — never uploaded (R12) — only when the request consents to that
fetch (`{"name", "provision": "fetched", "consent": <preview digest, optional>}`, see
`consents`); without consent it is `missing`, awaiting consent. One shared by a department is
fetched the same way, only with consent; the online form is filled in with the case. An applicant material is `uploaded`
when the request names it, `reused` when the applicant names an entry of the material vault
(`sources.material_source().offers`: confirmed, still valid — an expired one is refused with
its date), `promised` when it is tolerable and the applicant promises it (R10), else
`missing`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from tongban.catalog import guides
from tongban.catalog.constants import Source
from tongban.catalog.licensing import licence_provider
from tongban.catalog.models import ItemVersion
from tongban.catalog.selectors import materials_of, questions_of
from tongban.core.errors import FieldError

from . import consents
from .constants import Provision
from .models import CaseMaterial
from .sources import Offer

CLAIMABLE = {Provision.UPLOADED.value, Provision.REUSED.value, Provision.PROMISED.value, Provision.FETCHED.value}


@dataclass
class Claim:
    """What the applicant says about one material in the request."""

    name: str
    provision: str = Provision.UPLOADED
    reference: str = ""
    reuse: int | None = None
    consent: str | None = None  # provision "fetched": the applicant consents (to the preview with this digest)


@dataclass
class Planned:
    row: dict[str, Any]
    provision: str
    licence_number: str = ""
    reference: str = ""
    reused_from_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def parse_claims(raw: list[Any], path: str = "materials") -> list[Claim]:
    """`materials` of a request: names (submitted) or objects `{"name", "provision", "reference"}`."""
    claims, errors = [], []
    for i, entry in enumerate(raw or []):
        where = f"{path}.{i}"
        if isinstance(entry, str):
            name, provision, reference, reuse, consent = entry, Provision.UPLOADED.value, "", None, None
        elif isinstance(entry, dict):
            name = entry.get("name")
            provision = entry.get("provision") or Provision.UPLOADED.value
            reference = str(entry.get("reference") or entry.get("file") or "")[:200]
            reuse = entry.get("reuse_from")
            consent = entry.get("consent")
        else:
            errors.append((where, "应为材料名称或材料对象"))
            continue
        if not isinstance(name, str) or not name.strip():
            errors.append((f"{where}.name", "请填写材料名称"))
            continue
        if provision not in CLAIMABLE:
            errors.append((f"{where}.provision", "提供方式只能是 uploaded（提交）、reused（复用）、"
                                                 "promised（容缺后补）或 fetched（同意调取电子证照）"))
            continue
        if reuse is not None and (not isinstance(reuse, int) or isinstance(reuse, bool)):
            errors.append((f"{where}.reuse_from", "应为材料库中材料的编号"))
            continue
        if consent is not None and (not isinstance(consent, str) or len(consent) > 64):
            errors.append((f"{where}.consent", "应为调取预览给出的 digest"))
            continue
        if provision == Provision.FETCHED:
            consent = consent or ""  # consented (to the record as previewed now, when no digest is named)
        claims.append(Claim(name.strip(), provision, reference, reuse, consent))
    if errors:
        raise FieldError(errors=errors)
    return claims


def material_list(version: ItemVersion, answers: dict[str, str]) -> list[dict[str, Any]]:
    """The version's materials for the answers (R11: exactly the guide's list, narrowed)."""
    mats = materials_of([version.pk])[version.pk]
    questions = [{"key": q.key, "text": q.text, "depends_on": q.depends_on, "options": q.options}
                 for q in questions_of([version.pk])[version.pk]]
    try:
        return guides.situation(mats, questions, answers or {})["materials"]
    except FieldError as exc:
        errors = [(f if f.startswith("answers") else f"answers.{f}", m) for f, m in exc.errors]
        raise FieldError(errors=errors) from None


def answers_for(version: ItemVersion, answers: dict[str, str]) -> dict[str, str]:
    """The answers that concern this version's questions (a bundle's answers span items)."""
    questions = questions_of([version.pk])[version.pk]
    mine = {}
    for asked, label in (answers or {}).items():
        for q in questions:
            if asked in (q.key, q.text) and any(o["label"] == label for o in q.options):
                mine[asked] = label
    return mine


def plan(rows: list[dict[str, Any]], claims: list[Claim], *, holder: str,
         reusable: dict[str, list[Offer]], on: Any = None) -> list[Planned]:
    """Decide each material's provision. Every problem at once (FieldError). A held licence
    is fetched only with consent; a reuse names a usable vault entry (`reusable`, by name)."""
    on = on or timezone.localdate()
    by_name = {r["name"]: r for r in rows}
    # Only a claimed licence material needs the holder's licences: a fetch must be held, and an
    # upload of a held one is refused (R12, fetched never uploaded). An unclaimed one is missing
    # either way, to be fetched once the applicant consents (consents.py).
    types = {by_name[c.name]["licence_type"]["code"] for c in claims
             if c.name in by_name and by_name[c.name].get("licence_type")}
    held = licence_provider().held(holder, types) if holder and types else {}
    errors: list[tuple[str, str]] = []
    claimed: dict[str, Claim] = {}
    offered: dict[str, Offer] = {}
    for i, claim in enumerate(claims):
        row = by_name.get(claim.name)
        if row is None:
            errors.append((f"materials.{i}",
                           f"材料“{claim.name}”不在本事项办事指南的材料清单内，无需也不得提交（R11）"))
            continue
        kind = row["source"].split(":", 1)[0]
        licence = held.get((row.get("licence_type") or {}).get("code")) if kind == Source.LICENCE else None
        if claim.provision == Provision.FETCHED:
            if kind == Source.DEPARTMENT:
                claimed[claim.name] = claim  # 部门共享: fetched with this consent too (consents.py)
            elif kind != Source.LICENCE:
                errors.append((f"materials.{i}", f"材料“{claim.name}”不是电子证照，不能调取（R12）"))
            elif licence is None:
                errors.append((f"materials.{i}", f"您没有有效的《{claim.name}》电子证照，无法调取，请提交该材料"))
            else:
                claimed[claim.name] = claim
            continue
        if kind != Source.APPLICANT and claim.provision != Provision.UPLOADED:
            errors.append((f"materials.{i}", f"材料“{claim.name}”由平台调取或在线填写，不能{_verb(claim.provision)}"))
            continue
        if claim.provision == Provision.PROMISED and not row["tolerable"]:
            errors.append((f"materials.{i}", f"材料“{claim.name}”不属于可容缺材料，不能承诺后补（R10）"))
            continue
        if claim.provision == Provision.REUSED:
            offer, problem = _offer(claim, reusable.get(claim.name) or [], on)
            if problem:
                errors.append((f"materials.{i}", problem))
                continue
            offered[claim.name] = offer
        claimed[claim.name] = claim
    if errors:
        raise FieldError(errors=errors)
    planned = []
    for row in rows:
        kind = row["source"].split(":", 1)[0]
        claim = claimed.get(row["name"])
        if kind == Source.LICENCE:
            licence = held.get(row["licence_type"]["code"])
            if licence is not None and claim is not None and claim.provision == Provision.FETCHED:
                # R12: fetched, never uploaded — and only with the applicant's consent (consents.py)
                planned.append(Planned(row, Provision.FETCHED, licence_number=licence.number,
                                       extra={"consent": claim.consent or ""}))
            elif licence is not None:  # held: fetched with consent, never uploaded (R12)
                planned.append(Planned(row, Provision.MISSING))
            elif claim is not None:
                planned.append(Planned(row, Provision.UPLOADED, reference=claim.reference))
            else:
                planned.append(Planned(row, Provision.MISSING))
        elif kind == Source.DEPARTMENT and claim is not None and claim.provision == Provision.FETCHED:
            planned.append(Planned(row, Provision.FETCHED, extra={"consent": claim.consent or ""}))
        elif kind == Source.DEPARTMENT:  # shared by a department: fetched only with consent, too
            planned.append(Planned(row, Provision.MISSING))
        elif kind == Source.FORM:
            planned.append(Planned(row, Provision.UPLOADED, reference="online-form"))
        elif claim is not None and claim.provision == Provision.REUSED:
            offer = offered[row["name"]]
            planned.append(Planned(row, Provision.REUSED, reused_from_id=offer.material_id,
                                   reference=f"vault:{offer.entry_id}"))
        elif claim is not None:
            planned.append(Planned(row, claim.provision, reference=claim.reference))
        else:
            planned.append(Planned(row, Provision.MISSING))
    return planned


def _offer(claim: Claim, offers: list[Offer], on: Any) -> tuple[Offer | None, str]:
    """The vault entry a reuse takes: the one named (`reuse_from`), else the newest usable one.
    An expired entry is refused with its date (R12: still valid)."""
    if claim.reuse is not None:
        named = [o for o in offers if o.entry_id == claim.reuse]
        if not named:
            return None, f"材料库中没有编号为 {claim.reuse} 的《{claim.name}》（须为本人的、经审核确认的材料）"
        offers = named
    usable = [o for o in offers if o.usable_on(on)]
    if usable:
        return usable[0], ""
    if offers:
        last = max(offers, key=lambda o: o.valid_until or on)
        return None, f"材料库中的《{last.name}》已于 {last.valid_until.isoformat()} 过期，不能复用，请重新提交"
    return None, f"材料库中没有可复用的“{claim.name}”（须为本人提交且经审核确认的有效材料）"


def _verb(provision: str) -> str:
    return {Provision.REUSED: "复用", Provision.PROMISED: "承诺后补"}.get(provision, "提交")


def to_rows(case, planned: list[Planned]) -> list[CaseMaterial]:
    """The case's material rows; a fetch consented to is recorded first (consents.record_filing,
    same transaction) and the fetched row names its consent step."""
    type_ids = _type_ids(case.item_version_id, planned)
    steps = consents.record_filing(case, planned)
    for p in planned:
        if p.row["name"] in steps:
            p.reference = f"{consents.REFERENCE}{steps[p.row['name']]}"
    return [CaseMaterial(
        case=case, position=i, name=p.row["name"],
        material_type_id=type_ids.get((p.row.get("material_type") or {}).get("code")),
        source=p.row["source"].split(":", 1)[0],
        licence_type=(p.row.get("licence_type") or {}).get("code") or "",
        required=p.row["required"] or not p.row.get("conditional", False),
        conditional=p.row.get("conditional", False), tolerable=p.row["tolerable"], provision=p.provision,
        licence_number=p.licence_number, reference=p.reference, reused_from_id=p.reused_from_id,
        confirmed=p.provision in (Provision.FETCHED, Provision.REUSED),
    ) for i, p in enumerate(planned, start=1)]


# Material type ids by version id: a published version is immutable and the material types its
# materials name cannot be deleted (PROTECT), so the ids read once stay right for that version.
_TYPE_IDS: dict[int | None, dict[str, int]] = {}
_TYPE_IDS_MAX = 4096


def _type_ids(version_id: int | None, planned: list[Planned]) -> dict[str, int]:
    from tongban.catalog.models import MaterialType

    codes = {(p.row.get("material_type") or {}).get("code") for p in planned} - {None}
    known = _TYPE_IDS.get(version_id, {}) if version_id is not None else {}
    if codes - known.keys():
        found = dict(MaterialType.objects.filter(code__in=codes).values_list("code", "pk"))
        if version_id is not None:
            if len(_TYPE_IDS) >= _TYPE_IDS_MAX:
                _TYPE_IDS.clear()
            _TYPE_IDS[version_id] = {**known, **found}
        return found
    return {c: known[c] for c in codes}


def reuse_claimed(rows: list[dict[str, Any]], claims: list[Claim]) -> list[dict[str, Any]]:
    """The rows the applicant asks to reuse from the vault: the only ones `plan` needs offers for."""
    names = {c.name for c in claims if c.provision == Provision.REUSED}
    return [r for r in rows if r["name"] in names] if names else []
