"""Between a canonical standard (`standard.py`) and the rows of a version: build the unsaved
rows of version N from a standard, and read a saved version back as a standard. Used by the
publish action, the demo loader and the Excel import, which differ only in how they save."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max

from .constants import FLAG_LISTS, Source
from .models import ItemVersion, Material, MaterialType, Question, ServiceItem
from .standard import References, computed_lists, parse_source

MATERIAL_TYPE_PREFIX = "CL-"
FLAG_FIELDS = {"全程网办": "full_online", "即来即办": "instant", "秒批秒办": "instant_approval",
               "跨省通办": "cross_province", "最多跑一次": "one_visit"}
ITEM_COLUMNS = ("name", "type", "department", "level", "audience", "themes", "life_stage", "online_depth",
                "legal_days", "legal_days_unit", "keywords")


def new_material_types(standards: list[dict[str, Any]], refs: References, *, start: int | None = None
                       ) -> list[MaterialType]:
    """Unsaved `MaterialType`s for every `new:<name>` the standards name; the standards are
    rewritten to the new codes and `refs` learns them."""
    if start is None:
        last = (MaterialType.objects.filter(code__startswith=MATERIAL_TYPE_PREFIX)
                .aggregate(last=Max("code"))["last"])
        start = int(last.removeprefix(MATERIAL_TYPE_PREFIX)) + 1 if last else 1
    created: list[MaterialType] = []
    for standard in standards:
        for m in standard["materials"]:
            if not m["material_type"].startswith("new:"):
                continue
            name = m["material_type"].removeprefix("new:")
            if name not in refs.material_type_by_name:
                code = f"{MATERIAL_TYPE_PREFIX}{start + len(created):05d}"
                created.append(MaterialType(code=code, name=name))
                refs.add_material_type(code, name)
            m["material_type"] = refs.material_type_by_name[name]
    return created


def build_version(item: ServiceItem, number: int, standard: dict[str, Any], refs: References, *,
                  effective_date: dt.date, published_at: dt.datetime, published_by: Any, summary: str,
                  changed: list[str]) -> tuple[ItemVersion, list[Material], list[Question]]:
    """Version `number` of `item` with its materials and questions, unsaved (materials and
    questions get their version once it has a primary key)."""
    elements = {k: v for k, v in standard.items() if k not in ("materials", "questions")}
    version = ItemVersion(item=item, number=number, effective_date=effective_date, published_at=published_at,
                          published_by=published_by, summary=summary, changed=changed, elements=elements)
    materials = [_material_row(version, i, m) for i, m in enumerate(standard["materials"])]
    questions = [Question(version=version, position=i, key=q["key"], text=q["text"], depends_on=q["depends_on"],
                          options=q["options"]) for i, q in enumerate(standard["questions"])]
    return version, materials, questions


def _material_row(version: ItemVersion, position: int, m: dict[str, Any]) -> Material:
    kind, licence = parse_source(m["source"])
    material = Material(
        version=version, position=position, name=m["name"], source=kind,
        licence_type_id=licence if kind == Source.LICENCE else None, provider_id=m["provider"],
        form=m["form"], basis=m["basis"], original=m["original"], copies=m["copies"], media=m["media"],
        audit_criteria=m["audit_criteria"], required=m["required"], tolerable=m["tolerable"],
        sample=m["sample"], blank_form=m["blank_form"])
    material.type_code = m["material_type"]  # resolved to an id by attach()
    return material


def attach(version: ItemVersion, materials: list[Material], questions: list[Question],
           type_ids: dict[str, int]) -> None:
    """Point saved-version children at their version and material types."""
    for m in materials:
        m.version = version
        m.material_type_id = type_ids[m.type_code]
    for q in questions:
        q.version = version


def apply_to_item(item: ServiceItem, standard: dict[str, Any], version: ItemVersion) -> None:
    """Mirror the latest version in the item's columns (browse, filters, search)."""
    for column in ITEM_COLUMNS:
        setattr(item, column if column != "department" else "department_id", standard[column])
    for flag, column in FLAG_FIELDS.items():
        setattr(item, column, flag in standard["lists"])
    computed = computed_lists(standard["materials"])
    item.tolerant = "容缺受理" in computed
    item.no_submission = "免提交" in computed
    item.version = version.number
    item.current_version = version


def standard_of(version: ItemVersion) -> dict[str, Any]:
    """A saved version read back as a canonical standard (two queries)."""
    materials = [{
        "name": m.name, "material_type": m.material_type.code, "source": m.source_code,
        "provider": m.provider_id, "form": m.form, "basis": m.basis, "original": m.original,
        "copies": m.copies, "media": m.media, "audit_criteria": m.audit_criteria, "required": m.required,
        "tolerable": m.tolerable, "sample": m.sample, "blank_form": m.blank_form,
    } for m in version.materials.select_related("material_type")]
    questions = [{"key": q.key, "text": q.text, "depends_on": q.depends_on, "options": q.options}
                 for q in version.questions.all()]
    # Versions published before condition rules existed have none (not "changed" to []).
    return {"condition_rules": [], **version.elements, "materials": materials, "questions": questions}


def flags_of(item: ServiceItem) -> list[str]:
    return [flag for flag in FLAG_LISTS if getattr(item, FLAG_FIELDS[flag])]
