"""Reads of the catalogue. The catalogue is public, so most reads need no caller; what an
editor may change is read through `editable_by` (permissions.py). Every miss is a NotFound
that says what was not found."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.db.models import Case, Prefetch, QuerySet, When
from django.utils import timezone

from tongban.core import audit
from tongban.core.errors import FieldError, NotFound
from tongban.identity.models import Department, Region

from . import conditions, guides
from .constants import DEFAULT_REGION, STANDARD_ELEMENTS
from .models import (
    Bundle,
    BundleItem,
    FormField,
    ItemImplementation,
    ItemVersion,
    LicenceType,
    Material,
    Question,
    ServiceItem,
)
from .permissions import editable_by
from .versions import flags_of


@audit.no_personal_data("事项库：公开信息")
def get_item(code: str) -> ServiceItem:
    item = (ServiceItem.objects.select_related("department", "current_version")
            .filter(code=code, active=True).first())
    if item is None:
        raise NotFound(f"未找到事项 {code}")
    return item


@audit.no_personal_data("事项库：公开信息")
def get_region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFound(f"未找到行政区划 {code}")
    return region


@audit.no_personal_data("事项库：公开信息")
def implementation_of(item: ServiceItem, region_code: str | None) -> ItemImplementation:
    """The implementation in `region_code`; without a region, the city's or else the first."""
    rows = item.implementations.filter(active=True).select_related("department", "region")
    if region_code:
        impl = rows.filter(region_id=region_code).first()
        if impl is None:
            region = get_region(region_code)
            raise NotFound(f"事项 {item.code}（{item.name}）在{region.name}（{region.code}）未实施")
        return impl
    impl = rows.filter(region_id=DEFAULT_REGION).first() or rows.order_by("region__path").first()
    if impl is None:
        raise NotFound(f"事项 {item.code}（{item.name}）尚无实施清单")
    return impl


@audit.no_personal_data("事项库：公开信息")
def find_implementation(code: str, region_code: str | None) -> ItemImplementation | None:
    """The implementation with its item (and the item's department and current version) in one
    query — the guide's and the filing's hot path; None when the item, the region or the
    implementation is missing (the caller then asks `get_item`/`implementation_of` which)."""
    rows = (ItemImplementation.objects.filter(item__code=code, item__active=True, active=True)
            .select_related("item__department", "item__current_version", "department", "region"))
    if region_code:  # one implementation per item and region: no ordering to compile or run
        found = list(rows.filter(region_id=region_code).order_by()[:1])
        return found[0] if found else None
    return rows.order_by(Case(When(region_id=DEFAULT_REGION, then=0), default=1), "region__path").first()


def _implementation_with_item(code: str, region_code: str | None) -> ItemImplementation:
    """The implementation with its item in one query; on a miss, the 404 says whether the
    item, the region or the implementation is missing."""
    return find_implementation(code, region_code) or implementation_of(get_item(code), region_code)


@audit.no_personal_data("事项库：公开信息")
def version_in_force(item: ServiceItem, on: dt.date | None = None) -> ItemVersion:
    """The version in force on `on` (today): the latest one already effective; before the
    first version takes effect, the first one."""
    on = on or timezone.localdate()
    current = item.current_version
    if current.effective_date <= on:
        return current
    earlier = item.versions.filter(effective_date__lte=on).order_by("-number").first()
    return earlier or item.versions.order_by("number").first()


@audit.no_personal_data("事项库：公开信息")
def get_version(item: ServiceItem, number: int) -> ItemVersion:
    version = item.versions.filter(number=number).first()
    if version is None:
        raise NotFound(f"事项 {item.code} 没有第{number}版")
    return version


VERSION_CACHE_SECONDS = 3600


def _per_version(kind: str, version_ids: list[int], load) -> dict[int, list[Any]]:
    """Rows of published versions by version id, cached: a version's rows never change (it is
    immutable once published), so an entry ages only by the names it shows — the hour's limit,
    as for `standard_view`. Misses are loaded together in one query."""
    keys = {v: f"catalog:{kind}:{v}" for v in version_ids}
    found = cache.get_many(list(keys.values()))
    out = {v: found[k] for v, k in keys.items() if k in found}
    missing = [v for v in version_ids if v not in out]
    if missing:
        loaded = load(missing)
        cache.set_many({keys[v]: loaded[v] for v in missing}, VERSION_CACHE_SECONDS)
        out.update(loaded)
    return {v: out[v] for v in version_ids}


def _load_materials(version_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    rows = (Material.objects.filter(version_id__in=version_ids)
            .select_related("material_type", "licence_type", "provider").order_by("version_id", "position"))
    out: dict[int, list[dict[str, Any]]] = {v: [] for v in version_ids}
    for m in rows:
        out[m.version_id].append(guides.material_out(m))
    return out


def _load_questions(version_ids: list[int]) -> dict[int, list[Question]]:
    out: dict[int, list[Question]] = {v: [] for v in version_ids}
    for q in Question.objects.filter(version_id__in=version_ids).order_by("version_id", "position"):
        out[q.version_id].append(q)
    return out


@audit.no_personal_data("事项库：公开信息")
def materials_of(version_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The material lists of published versions (each a fresh list: callers may annotate rows)."""
    cached = _per_version("materials", version_ids, _load_materials)
    return {v: [dict(row) for row in rows] for v, rows in cached.items()}


@audit.no_personal_data("事项库：公开信息")
def questions_of(version_ids: list[int]) -> dict[int, list[Question]]:
    return {v: list(rows) for v, rows in _per_version("questions", version_ids, _load_questions).items()}


def _names(elements: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Department and licence-type names the elements refer to (at most two queries)."""
    departments = elements.get("departments_parallel") or []
    outputs = [*(elements.get("outputs") or []), *conditions.licence_codes(elements.get("condition_rules"))]
    dept_names = dict(Department.objects.filter(pk__in=departments).values_list("pk", "name")) if departments else {}
    licence_names = dict(LicenceType.objects.filter(pk__in=outputs).values_list("pk", "name")) if outputs else {}
    return dept_names, licence_names


@audit.no_personal_data("事项库：公开信息")
def standard_out(item: ServiceItem, version: ItemVersion, materials: list[dict[str, Any]],
                 questions: list[Question]) -> dict[str, Any]:
    """The standard elements of a version as the public reads them."""
    e = version.elements
    dept_names, licence_names = _names(e)
    flags = list(e.get("lists", []))
    return {
        "code": item.code,
        "name": e["name"],
        "type": e["type"],
        "department": {"id": e["department"], "name": item.department.name if e["department"] == item.department_id
                       else Department.objects.filter(pk=e["department"]).values_list("name", flat=True).first()},
        "level": e["level"],
        "audience": e["audience"],
        "themes": e["themes"],
        "life_stage": e["life_stage"],
        "online_depth": e["online_depth"],
        "conditions": e["conditions"],
        "condition_rules": conditions.describe(e.get("condition_rules", []), licence_names),
        "audit_criteria": e.get("audit_criteria", []),
        "materials": materials,
        "process": e["process"],
        "uncounted_steps": [p["step"] for p in e["process"] if not p["counted"]],
        "legal_days": e["legal_days"],
        "legal_days_unit": e["legal_days_unit"],
        "legal_days_text": guides.days_text(e["legal_days"], e["legal_days_unit"]),
        "fee_standard": e["fee_standard"],
        "basis": e["basis"],
        "lists": guides.lists_of(flags, materials),
        "departments_parallel": [{"id": d, "name": dept_names.get(d, d)} for d in e["departments_parallel"]],
        "outputs": [{"code": c, "name": licence_names.get(c, c)} for c in e["outputs"]],
        "keywords": e["keywords"],
        "faq": e.get("faq", []),
        "questions": [guides.question_out(q) for q in questions],
        "version": version.number,
        "effective_date": version.effective_date,
        "published_at": version.published_at,
    }


STANDARD_CACHE_SECONDS = 3600


@audit.no_personal_data("事项库：公开信息")
def standard_view(item: ServiceItem, version: ItemVersion) -> dict[str, Any]:
    """`standard_out` of a version, cached: a published version never changes, so the entry
    can only age by the names it shows (departments, licence types), hence the hour's limit."""
    key = f"catalog:standard:{item.code}:{version.number}:{version.pk}"
    out = cache.get(key)
    if out is None:
        out = standard_out(item, version, materials_of([version.pk])[version.pk],
                           questions_of([version.pk])[version.pk])
        cache.set(key, out, STANDARD_CACHE_SECONDS)
    return out


@audit.no_personal_data("事项库：公开信息")
def guide(code: str, region_code: str | None) -> dict[str, Any]:
    """The guide of an item as implemented in a region (A2): standard elements of the version
    in force, local elements of the implementation."""
    impl = _implementation_with_item(code, region_code)
    item = impl.item
    version = version_in_force(item)
    out = dict(standard_view(item, version))
    out.update({
        "region": {"code": impl.region_id, "name": impl.region.name},
        "implementing_department": {"id": impl.department_id, "name": impl.department.name},
        "implementation": impl.pk,
        "promised_days": impl.promised_days,
        "promised_days_text": guides.days_text(impl.promised_days, "working"),
        "fee": impl.fee or out["fee_standard"],
        "place": impl.place,
        "window": impl.window,
        "hours": impl.hours,
        "contacts": {"phone": impl.phone, "consultation": impl.consultation, "complaint": impl.complaint},
        "online_url": impl.online_url,
        "notes": impl.notes,
    })
    if version.pk != item.current_version_id:
        out["upcoming"] = {"version": item.version, "effective_date": item.current_version.effective_date}
    return out


@audit.no_personal_data("事项库：公开信息")
def situation(code: str, answers: dict[str, str]) -> dict[str, Any]:
    item = get_item(code)
    version = version_in_force(item)
    materials = materials_of([version.pk])[version.pk]
    questions = [{"key": q.key, "text": q.text, "depends_on": q.depends_on, "options": q.options}
                 for q in questions_of([version.pk])[version.pk]]
    return {"item": item.code, "version": version.number, **guides.situation(materials, questions, answers)}


# --- versions and the change log -------------------------------------------------------------------

@audit.no_personal_data("事项库：公开信息")
def version_summary(v: ItemVersion) -> dict[str, Any]:
    return {"version": v.number, "effective_date": v.effective_date, "published_at": v.published_at,
            "summary": v.summary, "changed": [{"field": f, "label": STANDARD_ELEMENTS.get(f, f)} for f in v.changed]}


@audit.no_personal_data("事项库：公开信息")
def versions_of(item: ServiceItem) -> QuerySet[ItemVersion]:
    return item.versions.order_by("-number").defer("elements")


@audit.no_personal_data("事项库：公开信息")
def version_detail(item: ServiceItem, number: int) -> dict[str, Any]:
    version = get_version(item, number)
    out = standard_out(item, version, materials_of([version.pk])[version.pk], questions_of([version.pk])[version.pk])
    return {**out, **version_summary(version)}


@audit.no_personal_data("事项库：公开信息")
def changes() -> QuerySet[ItemVersion]:
    """The public, city-wide change log, newest first."""
    return ItemVersion.objects.select_related("item").defer("elements").order_by("-published_at", "-pk")


@audit.no_personal_data("事项库：公开信息")
def change_out(v: ItemVersion) -> dict[str, Any]:
    return {"item": v.item.code, "name": v.item.name, **version_summary(v)}


@audit.no_personal_data("事项库：公开信息")
def compare(item: ServiceItem, a: int, b: int) -> dict[str, Any]:
    """Element-by-element difference of two versions of one item."""
    first, second = get_version(item, a), get_version(item, b)
    mats = materials_of([first.pk, second.pk])
    qs = questions_of([first.pk, second.pk])

    def full(v: ItemVersion) -> dict[str, Any]:
        return {**v.elements, "materials": mats[v.pk],
                "questions": [guides.question_out(q) for q in qs[v.pk]]}

    before, after = full(first), full(second)
    rows = [{"field": key, "label": label, "before": before.get(key), "after": after.get(key)}
            for key, label in STANDARD_ELEMENTS.items() if before.get(key) != after.get(key)]
    return {"item": item.code, "from": a, "to": b, "changes": rows}


# --- bundles -----------------------------------------------------------------------------------------

@audit.no_personal_data("事项库：公开信息")
def bundles() -> QuerySet[Bundle]:
    return (Bundle.objects.filter(active=True).select_related("lead_department")
            .prefetch_related(Prefetch("entries", queryset=BundleItem.objects.select_related("item")))
            .order_by("code"))


@audit.no_personal_data("事项库：公开信息")
def bundle_summary(b: Bundle) -> dict[str, Any]:
    return {"code": b.code, "name": b.name, "audience": b.audience, "description": b.description,
            "lead_department": {"id": b.lead_department_id, "name": b.lead_department.name},
            "items": [{"code": e.item.code, "name": e.item.name} for e in b.entries.all()]}


@audit.no_personal_data("事项库：公开信息")
def bundle_detail(code: str) -> dict[str, Any]:
    """One merged guide: items, one material list deduplicated by material type, the shared
    form fields, and the union of the items' questions asked once."""
    bundle = Bundle.objects.filter(code=code, active=True).select_related("lead_department").first()
    if bundle is None:
        raise NotFound(f"未找到一件事 {code}")
    entries = list(bundle.entries.select_related("item__department", "item__current_version"))
    versions = {e.item_id: version_in_force(e.item) for e in entries}
    ids = [v.pk for v in versions.values()]
    mats, qs = materials_of(ids), questions_of(ids)
    per_item = [(e.item.code, mats[versions[e.item_id].pk]) for e in entries]
    questions = [(e.item.code, [guides.question_out(q) for q in qs[versions[e.item_id].pk]]) for e in entries]
    fields = {f.key: f for f in FormField.objects.filter(key__in=bundle.shared_fields)}
    items = [{"code": e.item.code, "name": e.item.name, "department": {"id": e.item.department_id,
              "name": e.item.department.name}, "version": versions[e.item_id].number,
              "lists": flags_of(e.item)} for e in entries]
    return {
        "code": bundle.code, "name": bundle.name, "audience": bundle.audience, "description": bundle.description,
        "lead_department": {"id": bundle.lead_department_id, "name": bundle.lead_department.name},
        "departments": list({i["department"]["id"]: i["department"] for i in items}.values()),
        "items": items,
        "materials": guides.merge_materials(per_item),
        "form_fields": [{"key": k, "label": fields[k].label, "schema": fields[k].schema}
                        for k in bundle.shared_fields if k in fields],
        "questions": guides.merge_questions(questions),
    }


# --- editors -------------------------------------------------------------------------------------------

@audit.no_personal_data("事项库：公开信息")
def implementations_editable_by(user: Any) -> QuerySet[ItemImplementation]:
    return editable_by(ItemImplementation.objects.select_related("item", "department", "region"), user)


@audit.no_personal_data("事项库：公开信息")
def get_implementation_for_editor(user: Any, pk: int) -> ItemImplementation:
    impl = implementations_editable_by(user).filter(pk=pk).first()
    if impl is None:
        raise NotFound("未找到该实施清单，或不在您的部门和区划范围内")
    return impl



@audit.no_personal_data("事项库：公开信息")
def bundle_situation(code: str, answers: dict[str, str]) -> dict[str, Any]:
    """The bundle's merged material list for the answers so far. An answer applies to every
    item that asks that question and offers that option; one no item understands is an error."""
    bundle = Bundle.objects.filter(code=code, active=True).first()
    if bundle is None:
        raise NotFound(f"未找到一件事 {code}")
    entries = list(bundle.entries.select_related("item__current_version"))
    versions = {e.item.code: version_in_force(e.item) for e in entries}
    ids = [v.pk for v in versions.values()]
    mats, qs = materials_of(ids), questions_of(ids)
    per_item_questions = {c: [{"key": q.key, "text": q.text, "depends_on": q.depends_on, "options": q.options}
                              for q in qs[v.pk]] for c, v in versions.items()}
    errors = []
    for asked, label in answers.items():
        matching = [q for rows in per_item_questions.values() for q in rows if asked in (q["key"], q["text"])]
        if not matching:
            errors.append((f"answers.{asked}", f"没有问题“{asked}”"))
        elif not any(o["label"] == label for q in matching for o in q["options"]):
            errors.append((f"answers.{asked}", f"问题“{matching[0]['text']}”没有选项“{label}”"))
    if errors:
        raise FieldError(errors=errors)
    per_item, pending = [], []
    for item_code, version in versions.items():
        questions = per_item_questions[item_code]
        mine = {k: v for k, v in answers.items()
                if any(k in (q["key"], q["text"]) and any(o["label"] == v for o in q["options"]) for q in questions)}
        result = guides.situation(mats[version.pk], questions, mine)
        per_item.append((item_code, result["materials"]))
        pending.append((item_code, result["pending_questions"]))
    return {"bundle": bundle.code, "materials": guides.merge_materials(per_item),
            "pending_questions": guides.merge_questions(pending)}


# --- portal pages: browsing and hot services ------------------------------------------------------

@audit.no_personal_data("事项库：公开信息")
def browse_items(*, theme: str = "", department: str = "", life_stage: str = "", audience: str = "",
                 special_list: str = "") -> QuerySet[ServiceItem]:
    """Active items by theme, department, life stage, audience and special list (A6), most
    popular first — the browse pages and `GET /api/catalog/items` filter alike."""
    from .versions import FLAG_FIELDS

    rows = ServiceItem.objects.filter(active=True).select_related("department").order_by("-popularity", "code")
    if theme:
        rows = rows.filter(themes__icontains=theme)
    if department:
        rows = rows.filter(department_id=department)
    if life_stage:
        rows = rows.filter(life_stage=life_stage)
    if audience:
        rows = rows.filter(audience__in=[audience, "both"])
    if special_list:
        column = FLAG_FIELDS.get(special_list) or {"容缺受理": "tolerant", "免提交": "no_submission"}.get(special_list)
        if column is None:
            raise FieldError("list", f"未知特色清单“{special_list}”")
        rows = rows.filter(**{column: True})
    return rows


@audit.no_personal_data("事项库：公开信息")
def departments_with_items() -> QuerySet[Department]:
    """Departments that are in charge of at least one active item, for browsing."""
    return Department.objects.filter(items__active=True).distinct().order_by("name")


@audit.no_personal_data("事项库：公开信息")
def bundles_with_item(code: str) -> list[dict[str, str]]:
    """The one-thing bundles an item belongs to (one query)."""
    rows = Bundle.objects.filter(active=True, entries__item__code=code).order_by("code").values("code", "name")
    return list(rows)


HOT_SCORE_APPLICATION = 5  # an application says more about demand than a look at the guide
HOT_CACHE_SECONDS = 120


@audit.no_personal_data("事项库：公开信息")
def hot_items(limit: int = 8, days: int = 30) -> list[dict[str, Any]]:
    """Hot services (热门服务): the items most viewed and applied for over the last `days` days
    (an application counts `HOT_SCORE_APPLICATION` views), topped up by editors' `popularity`
    while there are too few figures (a new platform has none). Cached briefly: the ranking
    of a month moves slowly and the home page asks on every visit."""
    from django.db.models import F, Sum

    from .models import ItemDailyStat

    today = timezone.localdate()
    key = f"catalog:hot:{limit}:{days}:{today.isoformat()}"
    out = cache.get(key)
    if out is not None:
        return out
    since = today - dt.timedelta(days=days - 1)
    ranked = list(
        ItemDailyStat.objects.filter(day__gte=since, day__lte=today, item__active=True)
        .values("item__code", "item__name", "item__department__name")
        .annotate(views=Sum("views"), applications=Sum("applications"))
        .annotate(score=F("views") + HOT_SCORE_APPLICATION * F("applications"))
        .order_by("-score", "item__code")[:limit])
    out = [{"code": r["item__code"], "name": r["item__name"], "department_name": r["item__department__name"],
            "views": r["views"], "applications": r["applications"]} for r in ranked]
    if len(out) < limit:
        taken = [r["code"] for r in out]
        popular = (ServiceItem.objects.filter(active=True).exclude(code__in=taken).select_related("department")
                   .order_by("-popularity", "code")[:limit - len(out)])
        out += [{"code": i.code, "name": i.name, "department_name": i.department.name, "views": 0,
                 "applications": 0} for i in popular]
    cache.set(key, out, HOT_CACHE_SECONDS)
    return out


@audit.no_personal_data("事项库：公开信息")
def guide_regions() -> list[Region]:
    """The regions a visitor can choose for guides: the city and its districts and zones."""
    return list(Region.objects.filter(level__in=[Region.Level.CITY, Region.Level.DISTRICT]).order_by("path"))
