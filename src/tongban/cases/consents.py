"""Consent before any fetch (issue 6 item 5, EU OOTS-style preview).

A material sourced from a licence the holder holds is fetched from the licence library, never
uploaded (R12) — but only with the applicant's consent to exactly what the fetch shares: which
fields (`sources.material_source().shared_fields`) of which record (licence type, number,
issuer, validity) go to which department for which case. A material shared by a department
(部门共享, e.g. the hospital's birth record) is a fetch too: the preview names the providing
department's record, its fields (`department_fields`) and the receiving department, and it is
fetched only with the same consent. The preview is `fetches()`; a consent names the material
and, optionally, the preview's `digest` (a changed record or department then refuses it: the
applicant consents again to what is really shared).

A 一件事 bundle has one preview for all its items (`bundle_fetches`: every fetch of every
item, grouped by receiving department) with one `digest` over all of them: consenting once
with it (`bundle_claims`) consents to each fetch of each child case; the parent case records
the one consent, each child its own fetches.

Where a fetch happens, and the only places:
- at filing (`materials.plan` → `to_rows` → `record_filing`): a held licence material the
  request consents to (`{"name", "provision": "fetched"}`) is fetched; without consent it is
  `missing` (awaiting consent) — an API client that sends no consent fetches nothing;
- after filing, before acceptance (`grant`).
Each fetch is one consent step on the case's timeline (`action="consent"`, with the preview
in its data) and an audit record; the fetched material's `reference` is `consent:<step id>`.
Withdrawing (`withdraw`, until acceptance) makes the material `missing` again, with a step and
an audit record. After acceptance both answer 409."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tongban.catalog.licensing import holder_of, licence_provider
from tongban.core import audit
from tongban.core.errors import Conflict, FieldError

from . import permissions
from .constants import Provision, Status
from .models import Case, CaseMaterial, CaseStep
from .sources import DEPARTMENT_RECORD_FIELDS, material_source

CONSENT = "consent"
WITHDRAWN = "withdraw-consent"
REFERENCE = "consent:"
OPEN_STATES = (Status.SUBMITTED, Status.CORRECTION)
LABELS = {CONSENT: "同意调取电子证照", WITHDRAWN: "撤回调取同意"}
LICENCE, DEPARTMENT = "licence", "department"  # the material sources a fetch serves
FETCHABLE = (LICENCE, DEPARTMENT)


@dataclass
class Fetch:
    """What fetching one material would share: the preview the applicant consents to."""

    material: str
    licence_type: str
    type_name: str
    number: str
    issuer: str
    valid_until: str | None
    record: str
    fields: list[str]
    department: str
    department_name: str
    item: str
    item_name: str
    holder: str
    digest: str = ""
    position: int | None = None
    case: str | None = None
    state: str = "preview"  # preview | consented | withdrawn | awaiting (filed, not consented)
    consented_at: str | None = None
    kind: str = LICENCE  # licence (电子证照) | department (部门共享)
    provider: str = ""  # a department-shared record's providing department
    bundle: str = ""
    bundle_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def purpose(self) -> str:
        case = f"（办件 {self.case}）" if self.case else "（办件编号提交后生成）"
        within = f"一件事“{self.bundle_name}”中的" if self.bundle_name else ""
        return f"办理{within}“{self.item_name}”{case}"

    def out(self) -> dict[str, Any]:
        row = asdict(self)
        row.pop("extra")
        row["purpose"] = self.purpose()
        what = f"《{self.type_name}》{self.number}" if self.kind == LICENCE else self.record
        row["sentence"] = f"将{what}的{'、'.join(self.fields)}提供给{self.department_name}，用于{self.purpose()}"
        return row


def _digest(holder: str, licence_type: str, number: str, fields: list[str], department: str, item: str) -> str:
    payload = json.dumps([holder, licence_type, number, fields, department, item], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def fetches(rows: list[dict[str, Any]], holder: str, *, department: Any, item: Any,
            held: dict[str, Any] | None = None) -> dict[str, Fetch]:
    """By material name: the licence materials of `rows` the holder holds validly today and the
    materials a department shares, each with exactly what its fetch would share. Nothing is
    fetched here (a preview). `held`: the holder's licences when the caller has them already."""
    if held is None:
        types = {r["licence_type"]["code"] for r in rows if r.get("licence_type")}
        held = licence_provider().held(holder, types) if holder and types else {}
    source = material_source()
    out: dict[str, Fetch] = {}
    for r in rows:
        kind = r["source"].split(":", 1)[0]
        licence = held.get((r.get("licence_type") or {}).get("code")) if kind == LICENCE else None
        if licence is not None:
            out[r["name"]] = _licence_fetch(r, licence, holder, department, item, source)
        elif kind == DEPARTMENT and r.get("provider"):
            out[r["name"]] = _department_fetch(r, holder, department, item, source)
    return out


def _licence_fetch(r: dict[str, Any], licence: Any, holder: str, department: Any, item: Any, source: Any) -> Fetch:
    fields = source.shared_fields(licence)
    return Fetch(
        material=r["name"], licence_type=licence.licence_type, type_name=licence.type_name, number=licence.number,
        issuer=licence.issuer, valid_until=licence.valid_to.isoformat() if licence.valid_to else None,
        record=licence.describe(), fields=fields, department=department.pk, department_name=department.name,
        item=item.code, item_name=item.name, holder=holder,
        digest=_digest(holder, licence.licence_type, licence.number, fields, department.pk, item.code),
        extra={"licence": licence})


def _department_fetch(r: dict[str, Any], holder: str, department: Any, item: Any, source: Any) -> Fetch:
    """部门共享: the providing department's record of the holder, sent to the handling one."""
    provider = r["provider"]
    fields = department_fields(source, r)
    return Fetch(
        material=r["name"], licence_type="", type_name=r["name"], number="", issuer=provider["name"],
        valid_until=None, record=f"{provider['name']}的《{r['name']}》", fields=fields, department=department.pk,
        department_name=department.name, item=item.code, item_name=item.name, holder=holder, kind=DEPARTMENT,
        provider=provider["id"],
        digest=_digest(holder, f"department:{provider['id']}", r["name"], fields, department.pk, item.code))


def department_fields(source: Any, row: dict[str, Any]) -> list[str]:
    """The fields of a department-shared record the fetch hands over (the source may name them)."""
    named = getattr(source, "department_fields", None)
    return list(named(row)) if named is not None else list(DEPARTMENT_RECORD_FIELDS)


# --- at filing ---------------------------------------------------------------------------------------

def check_digest(fetch: Fetch, given: str | None, where: str) -> None:
    if given and given != fetch.digest:
        raise FieldError(where, f"材料“{fetch.material}”的调取内容已变化（证照、字段或接收部门），"
                                "请重新查看调取预览后再同意")


def record_filing(case: Case, planned: list[Any]) -> dict[str, int]:
    """In the filing transaction, before the case's materials are written: one consent step
    (and audit record) per material fetched with consent; answers {material name: step id}.
    A child of a bundle may carry the bundle's one consent (its preview's digest)."""
    fetched = [p for p in planned if p.provision == Provision.FETCHED and p.extra.get("consent") is not None]
    if not fetched:
        return {}
    rows = [p.row for p in fetched]
    preview = fetches(rows, holder_of(case.applicant, case.on_behalf_of), department=case.department, item=case.item)
    actor = case.filed_by or case.applicant
    steps: dict[str, int] = {}
    for p in fetched:
        fetch = preview.get(p.row["name"])
        if fetch is None or fetch.number != p.licence_number:  # pragma: no cover - same transaction as plan
            raise Conflict(f"材料“{p.row['name']}”的电子证照已变化，请重新提交")
        given, where = p.extra["consent"] or None, f"materials.{p.row['name']}.consent"
        if given and given != fetch.digest and case.parent_id:
            _bundle_consent(case.parent, actor, given, where)
        else:
            check_digest(fetch, given, where)
        _in_bundle(fetch, case)
        fetch.case, fetch.state = case.number, "consented"
        steps[p.row["name"]] = _consent_step(case, actor, fetch).pk
    return steps


def _in_bundle(fetch: Fetch, case: Case) -> None:
    parent = case.parent if case.parent_id else None
    if parent is not None and parent.bundle_id:
        fetch.bundle, fetch.bundle_name = parent.bundle.code, parent.bundle.name


def _bundle_consent(parent: Case, actor: Any, given: str, where: str) -> None:
    """The bundle's one consent, checked against the bundle's preview at filing (computed once
    per filing) and recorded once on the parent case, with its audit record."""
    memo = parent.__dict__.setdefault("_bundle_consent", {})
    if "preview" not in memo:
        memo["preview"] = bundle_fetches(parent.bundle, holder_of(parent.applicant, parent.on_behalf_of),
                                         parent.region, parent.answers or {})
    preview: BundlePreview = memo["preview"]
    if given != preview.digest:
        raise FieldError(where, f"一件事“{parent.bundle.name}”的调取内容已变化（证照、字段或接收部门），"
                                "请重新查看调取预览后再同意")
    if memo.get("step") is None:
        departments = "、".join(d["department_name"] for d in by_department(preview.fetches))
        note = (f"申请人一次同意一件事“{parent.bundle.name}”的全部调取：共 {len(preview.fetches)} 项，"
                f"提供给{departments}")
        memo["step"] = CaseStep.objects.create(
            case=parent, at=timezone.now(), actor=actor, actor_label=_actor_label(actor), action=CONSENT,
            status=parent.status, note=note[:1000], data={"bundle_consent": preview.out()})
        audit.record("cases.consent", obj=parent, subject_id=parent.applicant_id,
                     data={"number": parent.number, "bundle": parent.bundle.code, "digest": preview.digest,
                           "fetches": len(preview.fetches), "step": memo["step"].pk})


def _actor_label(actor: Any) -> str:
    return (actor.name or actor.get_username())[:100] if actor else ""


def _consent_step(case: Case, actor: Any, fetch: Fetch) -> CaseStep:
    now = timezone.now()
    fetch.consented_at = timezone.localtime(now).isoformat()
    data = fetch.out()
    step = CaseStep.objects.create(
        case=case, at=now, actor=actor, actor_label=_actor_label(actor),
        action=CONSENT, status=case.status, note=f"申请人同意{data['sentence']}", data={"consent": data})
    audit.record("cases.consent", obj=case, subject_id=case.applicant_id,
                 data={"number": case.number, "material": fetch.material, "licence_type": fetch.licence_type,
                       "licence_number": fetch.number, "fields": fetch.fields, "department": fetch.department,
                       "step": step.pk})
    return step


# --- after filing ------------------------------------------------------------------------------------

def _as_applicant(actor: Any, case: Case) -> None:
    if not permissions.speaks_for_applicant(actor, case):
        raise PermissionDenied("只有申请人（或其代办人）可以同意或撤回证照调取")


def _open(case: Case, what: str) -> None:
    if case.accepted_on is not None or case.status not in OPEN_STATES:
        raise Conflict(f"办件 {case.number} 当前状态为“{Status(case.status).label}”，"
                       f"已受理或已办结的办件不能再{what}")


def _material(case: Case, material: Any) -> CaseMaterial:
    rows = {m.name: m for m in CaseMaterial.objects.filter(case=case)}
    by_position = {m.position: m for m in rows.values()}
    found = rows.get(material) if isinstance(material, str) else by_position.get(material)
    if found is None:
        raise FieldError("material", f"材料“{material}”不在办件 {case.number} 的材料清单内（R11）")
    return found


def _version_rows(case: Case, materials: list[CaseMaterial]) -> list[dict[str, Any]]:
    """The guide's rows (with source, licence type and providing department) of these materials."""
    from tongban.catalog.selectors import materials_of

    names = {m.name for m in materials}
    rows = [r for r in materials_of([case.item_version_id]).get(case.item_version_id, []) if r["name"] in names]
    known = {r["name"] for r in rows}
    return rows + [{"name": m.name, "source": m.source, "licence_type": {"code": m.licence_type}}
                   for m in materials if m.name not in known and m.licence_type]


def case_fetches(case: Case) -> list[Fetch]:
    """The case's fetchable materials (licences, department-shared records): what each fetch
    shares (or shared) and its consent state. A bundle's parent: those of all its children."""
    if case.bundle_id and not case.item_version_id:
        return [f for child in case.children.select_related("item", "department", "applicant", "on_behalf_of")
                .order_by("number") for f in case_fetches(child)]
    materials = list(CaseMaterial.objects.filter(case=case, source__in=FETCHABLE).order_by("position"))
    if not materials:
        return []
    preview = fetches(_version_rows(case, materials), holder_of(case.applicant, case.on_behalf_of),
                      department=case.department, item=case.item)
    steps = {}
    for s in CaseStep.objects.filter(case=case, action__in=(CONSENT, WITHDRAWN)).order_by("at", "id"):
        steps[(s.data or {}).get("consent", {}).get("material")] = s
    out = []
    for m in materials:
        step = steps.get(m.name)
        if m.provision == Provision.FETCHED and m.reference.startswith(REFERENCE) and step is not None:
            fetch = Fetch(**{k: v for k, v in step.data["consent"].items() if k in Fetch.__dataclass_fields__})
            fetch.state = "consented"
        elif m.provision == Provision.MISSING and m.name in preview:
            fetch = preview[m.name]
            fetch.state = "withdrawn" if step is not None and step.action == WITHDRAWN else "awaiting"
            _in_bundle(fetch, case)
        else:
            continue  # not held (to be uploaded), no record to fetch, or provided otherwise
        fetch.position, fetch.case = m.position, case.number
        out.append(fetch)
    return out


def pending(rows: list[Fetch]) -> list[Fetch]:
    return [f for f in rows if f.state in ("awaiting", "withdrawn")]


def grant(actor: Any, case: Case, material: Any, digest: str | None = None) -> Fetch:
    """The applicant consents to one fetch after filing (before acceptance): the material is
    fetched now, with the consent step and audit record, in one transaction."""
    _as_applicant(actor, case)
    _open(case, "同意调取")
    m = _material(case, material)
    if m.provision == Provision.FETCHED:
        raise Conflict(f"材料“{m.name}”已调取")
    if m.source not in FETCHABLE:
        raise FieldError("material", f"材料“{m.name}”不是电子证照或部门共享材料，不能调取（R12）")
    if m.provision != Provision.MISSING:
        raise Conflict(f"材料“{m.name}”已{Provision(m.provision).label}，不能再调取")
    fetch = fetches(_version_rows(case, [m]), holder_of(case.applicant, case.on_behalf_of),
                    department=case.department, item=case.item).get(m.name)
    if fetch is None:
        raise FieldError("material", f"您没有有效的《{m.name}》电子证照，无法调取，请在办件页上传")
    check_digest(fetch, digest, "consent")
    _in_bundle(fetch, case)
    fetch.case, fetch.position, fetch.state = case.number, m.position, "consented"
    with transaction.atomic():
        _lock(case, "同意调取")
        step = _consent_step(case, actor, fetch)
        updated = CaseMaterial.objects.filter(pk=m.pk, provision=Provision.MISSING).update(
            provision=Provision.FETCHED, licence_number=fetch.number, reference=f"{REFERENCE}{step.pk}",
            confirmed=True)
        if updated != 1:
            raise Conflict(f"材料“{m.name}”已被他人处理，请刷新后查看")
    return fetch


def grant_all(actor: Any, case: Case, digest: str | None = None) -> list[Fetch]:
    """Consent once to every fetch still awaiting consent — of the case, or of every child of a
    bundle — in one transaction; `digest` (optional) is `combined_digest` of what was shown."""
    _as_applicant(actor, case)
    if case.item_version_id:  # a bundle's parent: each child is checked as it is granted
        _open(case, "同意调取")
    waiting = pending(case_fetches(case))
    if not waiting:
        raise Conflict(f"办件 {case.number} 没有等待您同意的调取")
    if digest and digest != combined_digest(waiting):
        raise FieldError("consent", "调取内容已变化（证照、字段或接收部门），请重新查看调取预览后再同意")
    targets = {case.number: case} | {c.number: c for c in case.children.all()}
    with transaction.atomic():
        return [grant(actor, targets[f.case], f.position, f.digest) for f in waiting]


def withdraw(actor: Any, case: Case, material: Any) -> CaseMaterial:
    """Until acceptance the applicant may withdraw a consent: the material becomes `missing`
    (the licence number leaves the case), with a step and an audit record."""
    _as_applicant(actor, case)
    _open(case, "撤回调取同意")
    m = _material(case, material)
    if m.provision != Provision.FETCHED or not m.reference.startswith(REFERENCE):
        raise Conflict(f"材料“{m.name}”没有经您同意的调取，无可撤回")
    with transaction.atomic():
        _lock(case, "撤回调取同意")
        updated = CaseMaterial.objects.filter(pk=m.pk, provision=Provision.FETCHED, reference=m.reference).update(
            provision=Provision.MISSING, licence_number="", reference="", confirmed=False)
        if updated != 1:
            raise Conflict(f"材料“{m.name}”已被他人处理，请刷新后查看")
        what = f"（证照 {m.licence_number}）" if m.licence_number else "（部门共享）"
        note = f"申请人撤回同意：不再调取《{m.name}》{what}，该材料改为未提交"
        step = CaseStep.objects.create(
            case=case, at=timezone.now(), actor=actor, actor_label=_actor_label(actor),
            action=WITHDRAWN, status=case.status, note=note,
            data={"consent": {"material": m.name, "licence_number": m.licence_number, "withdrawn": True}})
        audit.record("cases.consent-withdraw", obj=case, subject_id=case.applicant_id,
                     data={"number": case.number, "material": m.name, "licence_number": m.licence_number,
                           "step": step.pk})
    m.provision, m.licence_number, m.reference, m.confirmed = Provision.MISSING, "", "", False
    return m


def _lock(case: Case, what: str) -> None:
    status = (Case.objects.select_for_update().filter(pk=case.pk).values_list("status", "accepted_on").first())
    if status is None or status[0] not in OPEN_STATES or status[1] is not None:
        raise Conflict(f"办件 {case.number} 已被受理或处理，不能再{what}，请刷新后查看")


# --- before filing: the previews ----------------------------------------------------------------

def combined_digest(rows: list[Fetch], *head: str) -> str:
    """One digest over several fetches (a bundle's, or all awaiting ones): any change of any
    record, field or department changes it."""
    payload = json.dumps([*head, *sorted(f.digest for f in rows)], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def by_department(rows: list[Fetch]) -> list[dict[str, Any]]:
    """The fetches grouped by receiving department, in first-seen order."""
    groups: dict[str, dict[str, Any]] = {}
    for f in rows:
        group = groups.setdefault(f.department, {"department": f.department, "department_name": f.department_name,
                                                 "items": []})
        group["items"].append(f.out())
    return list(groups.values())


def preview_out(rows: list[Fetch]) -> dict[str, Any]:
    return {"count": len(rows), "items": [f.out() for f in rows], "departments": by_department(rows),
            "digest": combined_digest(rows) if rows else None}


@dataclass
class BundlePreview:
    """Every fetch of every item of a 一件事 bundle, with the one digest its consent names."""

    bundle: Any
    fetches: list[Fetch]

    @property
    def digest(self) -> str:
        return combined_digest(self.fetches, self.bundle.code)

    def out(self) -> dict[str, Any]:
        return {**preview_out(self.fetches), "digest": self.digest,
                "bundle": {"code": self.bundle.code, "name": self.bundle.name}}

    def claims(self) -> list[dict[str, Any]]:
        """The request's material claims that consent once to all of it (one per material name:
        a bundle's filing hands each claim to every item listing that material)."""
        names = dict.fromkeys(f.material for f in self.fetches)
        return [{"name": n, "provision": "fetched", "consent": self.digest} for n in names]


def bundle_fetches(bundle: Any, holder: str, region: Any, answers: dict[str, str]) -> BundlePreview:
    """The bundle's preview: for each item implemented in (or above) the region — as the filing
    routes it — the fetches of its material list for the answers, to its department. The holder's
    licences are asked for once."""
    from tongban.catalog import selectors as catalog

    from . import intake
    from . import materials as mats

    planned = []
    for entry in bundle.entries.select_related("item__current_version").order_by("position"):
        impl = intake.nearest_implementation(entry.item, region)
        if impl is None:
            continue  # the filing refuses the bundle in this region, naming the item
        version = catalog.version_in_force(entry.item)
        planned.append((entry.item, impl, mats.material_list(version, mats.answers_for(version, answers))))
    types = {r["licence_type"]["code"] for *_, rows in planned for r in rows if r.get("licence_type")}
    held = licence_provider().held(holder, types) if holder and types else {}
    out: list[Fetch] = []
    for item, impl, rows in planned:
        for f in fetches(rows, holder, department=impl.department, item=item, held=held).values():
            f.bundle, f.bundle_name = bundle.code, bundle.name
            out.append(f)
    return BundlePreview(bundle, out)


def bundle_preview_for(user: Any, *, bundle: str, region: str | None = None, on_behalf_of: str | None = None,
                       answers: dict[str, str] | None = None) -> BundlePreview:
    """Before filing a bundle: its one consent preview (`POST /api/consents/preview`)."""
    from . import intake

    return _bundle_preview(user, intake.enterprise_for(user, on_behalf_of), bundle, region, answers or {})


def _bundle_preview(user: Any, enterprise: Any, bundle: str, region: str | None,
                    answers: dict[str, str]) -> BundlePreview:
    from tongban.catalog import selectors as catalog
    from tongban.catalog.models import Bundle
    from tongban.core.errors import NotFound

    found = Bundle.objects.filter(code=bundle, active=True).first()
    if found is None:
        raise FieldError("bundle", f"未找到一件事 {bundle}")
    try:
        place = catalog.get_region(region or "210200")  # the bundle's filing defaults to the city too
    except NotFound as exc:
        raise FieldError("region", exc.message) from None
    return bundle_fetches(found, holder_of(user, enterprise), place, answers)


def bundle_page_preview(user: Any, enterprise: Any, bundle: str, region: str | None) -> dict[str, Any] | None:
    """The apply page's bundle preview (None when the region is unknown: the page says so on filing)."""
    try:
        return _bundle_preview(user, enterprise, bundle, region or None, {}).out()
    except FieldError:
        return None


def posted_bundle_claims(user: Any, enterprise: Any, bundle: str, region: str | None,
                         digest: str | None) -> list[dict[str, Any]]:
    """The apply page's one consent for a bundle (its preview's digest) as the request's claims;
    a digest no longer the preview's (a record or department changed) is refused."""
    if not digest:
        return []
    preview = _bundle_preview(user, enterprise, bundle, region or None, {})
    if digest != preview.digest:
        raise FieldError("form", f"一件事“{preview.bundle.name}”的调取内容已变化（证照、字段或接收部门），"
                                 "请重新查看调取预览后再同意")
    return preview.claims()


def preview_for(user: Any, *, item: str, region: str | None = None, on_behalf_of: str | None = None,
                answers: dict[str, str] | None = None) -> list[Fetch]:
    """Before filing: what each fetch of an application for `item` would share (the apply page
    and `POST /api/consents/preview`). A material is fetched only if the request consents."""
    from tongban.catalog import selectors as catalog

    from . import intake
    from . import materials as mats

    if not item:
        raise FieldError("item", "请填写事项编码（item）")
    enterprise = intake.enterprise_for(user, on_behalf_of)
    service_item, impl = intake.resolve_item(item, region)
    rows = mats.material_list(catalog.version_in_force(service_item), answers or {})
    return list(fetches(rows, holder_of(user, enterprise), department=impl.department, item=service_item).values())
