"""Consent before any fetch (issue 6 item 5, EU OOTS-style preview).

A material sourced from a licence the holder holds is fetched from the licence library, never
uploaded (R12) — but only with the applicant's consent to exactly what the fetch shares: which
fields (`sources.material_source().shared_fields`) of which record (licence type, number,
issuer, validity) go to which department for which case. The preview is `fetches()`; a
consent names the material and, optionally, the preview's `digest` (a changed record or
department then refuses it: the applicant consents again to what is really shared).

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
from .sources import material_source

CONSENT = "consent"
WITHDRAWN = "withdraw-consent"
REFERENCE = "consent:"
OPEN_STATES = (Status.SUBMITTED, Status.CORRECTION)
LABELS = {CONSENT: "同意调取电子证照", WITHDRAWN: "撤回调取同意"}


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
    extra: dict[str, Any] = field(default_factory=dict)

    def purpose(self) -> str:
        case = f"（办件 {self.case}）" if self.case else "（办件编号提交后生成）"
        return f"办理“{self.item_name}”{case}"

    def out(self) -> dict[str, Any]:
        row = asdict(self)
        row.pop("extra")
        row["purpose"] = self.purpose()
        row["sentence"] = (f"将《{self.type_name}》{self.number}的{'、'.join(self.fields)}提供给"
                           f"{self.department_name}，用于{self.purpose()}")
        return row


def _digest(holder: str, licence_type: str, number: str, fields: list[str], department: str, item: str) -> str:
    payload = json.dumps([holder, licence_type, number, fields, department, item], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def fetches(rows: list[dict[str, Any]], holder: str, *, department: Any, item: Any) -> dict[str, Fetch]:
    """By material name: the licence materials of `rows` the holder holds validly today, each
    with exactly what its fetch would share. Nothing is fetched here (a preview)."""
    types = {r["licence_type"]["code"] for r in rows if r.get("licence_type")}
    held = licence_provider().held(holder, types) if holder and types else {}
    source = material_source()
    out: dict[str, Fetch] = {}
    for r in rows:
        licence = held.get((r.get("licence_type") or {}).get("code"))
        if licence is None or not r["source"].startswith("licence"):
            continue
        fields = source.shared_fields(licence)
        out[r["name"]] = Fetch(
            material=r["name"], licence_type=licence.licence_type, type_name=licence.type_name, number=licence.number,
            issuer=licence.issuer, valid_until=licence.valid_to.isoformat() if licence.valid_to else None,
            record=licence.describe(), fields=fields, department=department.pk, department_name=department.name,
            item=item.code, item_name=item.name, holder=holder,
            digest=_digest(holder, licence.licence_type, licence.number, fields, department.pk, item.code),
            extra={"licence": licence})
    return out


# --- at filing ---------------------------------------------------------------------------------------

def check_digest(fetch: Fetch, given: str | None, where: str) -> None:
    if given and given != fetch.digest:
        raise FieldError(where, f"材料“{fetch.material}”的调取内容已变化（证照、字段或接收部门），"
                                "请重新查看调取预览后再同意")


def record_filing(case: Case, planned: list[Any]) -> dict[str, int]:
    """In the filing transaction, before the case's materials are written: one consent step
    (and audit record) per material fetched with consent; answers {material name: step id}."""
    fetched = [p for p in planned if p.provision == Provision.FETCHED and p.extra.get("consent") is not None]
    if not fetched:
        return {}
    rows = [p.row for p in fetched]
    preview = fetches(rows, holder_of(case.applicant, case.on_behalf_of), department=case.department, item=case.item)
    steps: dict[str, int] = {}
    for p in fetched:
        fetch = preview.get(p.row["name"])
        if fetch is None or fetch.number != p.licence_number:  # pragma: no cover - same transaction as plan
            raise Conflict(f"材料“{p.row['name']}”的电子证照已变化，请重新提交")
        check_digest(fetch, p.extra["consent"] or None, f"materials.{p.row['name']}.consent")
        fetch.case, fetch.state = case.number, "consented"
        steps[p.row["name"]] = _consent_step(case, case.filed_by or case.applicant, fetch).pk
    return steps


def _consent_step(case: Case, actor: Any, fetch: Fetch) -> CaseStep:
    now = timezone.now()
    fetch.consented_at = timezone.localtime(now).isoformat()
    data = fetch.out()
    step = CaseStep.objects.create(
        case=case, at=now, actor=actor, actor_label=(actor.name or actor.get_username())[:100] if actor else "",
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


def case_fetches(case: Case) -> list[Fetch]:
    """The case's licence materials: what each fetch shares (or shared) and its consent state."""
    materials = list(CaseMaterial.objects.filter(case=case, source="licence").order_by("position"))
    if not materials:
        return []
    rows = [{"name": m.name, "source": "licence", "licence_type": {"code": m.licence_type}} for m in materials]
    preview = fetches(rows, holder_of(case.applicant, case.on_behalf_of), department=case.department, item=case.item)
    steps = {}
    for s in CaseStep.objects.filter(case=case, action__in=(CONSENT, WITHDRAWN)).order_by("at", "id"):
        steps[(s.data or {}).get("consent", {}).get("material")] = s
    out = []
    for m in materials:
        step = steps.get(m.name)
        if m.provision == Provision.FETCHED and m.reference.startswith(REFERENCE) and step is not None:
            fetch = Fetch(**{k: v for k, v in step.data["consent"].items() if k in Fetch.__dataclass_fields__})
            fetch.state = "consented"
        elif m.name in preview:
            fetch = preview[m.name]
            fetch.state = "withdrawn" if step is not None and step.action == WITHDRAWN else "awaiting"
        else:
            continue  # not held (to be uploaded), or no record to fetch
        fetch.position, fetch.case = m.position, case.number
        out.append(fetch)
    return out


def grant(actor: Any, case: Case, material: Any, digest: str | None = None) -> Fetch:
    """The applicant consents to one fetch after filing (before acceptance): the material is
    fetched now, with the consent step and audit record, in one transaction."""
    _as_applicant(actor, case)
    _open(case, "同意调取")
    m = _material(case, material)
    if m.provision == Provision.FETCHED:
        raise Conflict(f"材料“{m.name}”已调取")
    if m.source != "licence" or not m.licence_type:
        raise FieldError("material", f"材料“{m.name}”不是电子证照，不能调取（R12）")
    if m.provision != Provision.MISSING:
        raise Conflict(f"材料“{m.name}”已{Provision(m.provision).label}，不能再调取")
    row = {"name": m.name, "source": "licence", "licence_type": {"code": m.licence_type}}
    fetch = fetches([row], holder_of(case.applicant, case.on_behalf_of), department=case.department,
                    item=case.item).get(m.name)
    if fetch is None:
        raise FieldError("material", f"您没有有效的《{m.name}》电子证照，无法调取，请在办件页上传")
    check_digest(fetch, digest, "consent")
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
        note = f"申请人撤回同意：不再调取《{m.name}》（证照 {m.licence_number}），该材料改为未提交"
        step = CaseStep.objects.create(
            case=case, at=timezone.now(), actor=actor, actor_label=(actor.name or actor.get_username())[:100],
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
