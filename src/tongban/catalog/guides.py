"""How a guide reads: materials with their provision hints, the material list for a
situation (情形引导), and the merged guide of a bundle (一件事). Pure functions over rows and
dicts, so the rules are testable without a database and written once for page and API."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tongban.core.errors import FieldError

from .constants import DaysUnit, Media, Source
from .models import Material, Question
from .standard import computed_lists, parse_source


def provision_hint(source: str, *, licence_name: str = "", provider_name: str = "", form: str = "",
                   original: bool = True, copies: int = 1) -> str:
    """What the applicant has to do about a material, computed from its source — never a
    hand-kept list (R12: what the government issued is fetched, not uploaded)."""
    kind, _ = parse_source(source)
    if kind == Source.LICENCE:
        return f"无需提交：平台从《{licence_name}》电子证照调取"
    if kind == Source.DEPARTMENT:
        return f"无需提交：由{provider_name or '相关部门'}共享提供"
    if kind == Source.FORM:
        return f"在线填写《{form}》" if form else "在线填写"
    kind_text = "原件" if original else "复印件"
    return f"需提交：{kind_text}{copies}份（可上传电子件）" if copies else "需提交：电子件"


def material_out(m: Material) -> dict[str, Any]:
    licence_name = m.licence_type.name if m.licence_type_id else ""
    provider_name = m.provider.name if m.provider_id else ""
    return {
        "name": m.name,
        "material_type": {"code": m.material_type.code, "name": m.material_type.name},
        "source": m.source_code,
        "source_name": Source(m.source).label,
        "licence_type": {"code": m.licence_type_id, "name": licence_name} if m.licence_type_id else None,
        "provider": {"id": m.provider_id, "name": provider_name} if m.provider_id else None,
        "provision_hint": provision_hint(m.source_code, licence_name=licence_name, provider_name=provider_name,
                                         form=m.form, original=m.original, copies=m.copies),
        "form": m.form,
        "basis": m.basis,
        "original": m.original,
        "original_or_copy": "原件" if m.original else "复印件",
        "copies": m.copies,
        "media": m.media,
        "media_name": Media(m.media).label,
        "audit_criteria": m.audit_criteria,
        "required": m.required,
        "tolerable": m.tolerable,
        "sample": m.sample,
        "blank_form": m.blank_form,
        "sample_url": form_url(m.sample),
        "blank_form_url": form_url(m.blank_form),
    }


def form_url(name: str) -> str | None:
    """The download of a committed form file (catalog/sample_forms.py), or None."""
    from .sample_forms import SAFE_NAME

    return f"/services/forms/{name}" if name and SAFE_NAME.match(name) else None


def question_out(q: Question) -> dict[str, Any]:
    return {"key": q.key, "text": q.text, "depends_on": q.depends_on,
            "options": [o["label"] for o in q.options]}


def lists_of(flags: Iterable[str], materials: list[dict[str, Any]]) -> list[str]:
    """The five flags as set, plus 容缺受理 and 免提交 computed from the materials."""
    return [*flags, *computed_lists([{"tolerable": m["tolerable"], "source": m["source"]} for m in materials])]


def days_text(days: int, unit: str) -> str:
    if days == 0:
        return "即办"
    return f"{days}个工作日" if unit == DaysUnit.WORKING else f"{days}日"


# --- scenario guidance ---------------------------------------------------------------------------

def _resolve_answers(questions: list[dict[str, Any]], answers: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Answers keyed by question text or key → {question key: chosen option}. An unknown
    question or label is an error naming it."""
    by_key = {q["key"]: q for q in questions}
    by_text = {q["text"]: q for q in questions}
    errors: list[tuple[str, str]] = []
    chosen: dict[str, dict[str, Any]] = {}
    for asked, label in answers.items():
        q = by_key.get(asked) or by_text.get(asked)
        if q is None:
            errors.append((f"answers.{asked}", f"没有问题“{asked}”"))
            continue
        option = next((o for o in q["options"] if o["label"] == label), None)
        if option is None:
            labels = "、".join(o["label"] for o in q["options"])
            errors.append((f"answers.{asked}", f"问题“{q['text']}”没有选项“{label}”（可选：{labels}）"))
            continue
        chosen[q["key"]] = option
    if errors:
        raise FieldError(errors=errors)
    return chosen


def _applies(q: dict[str, Any], chosen: dict[str, dict[str, Any]]) -> bool:
    return all(k in chosen and chosen[k]["label"] in labels for k, labels in (q.get("depends_on") or {}).items())


def situation(materials: list[dict[str, Any]], questions: list[dict[str, Any]],
              answers: Mapping[str, str]) -> dict[str, Any]:
    """The exact material list for the answers given so far, and the questions still to ask.

    Required materials are in unless an answer removes them; materials needed only in some
    situations are in once an answer adds them. A material no question governs stays in,
    marked conditional, so nothing the guide requires is ever hidden (R11 works both ways)."""
    chosen = _resolve_answers(questions, answers)
    applicable = [q for q in questions if _applies(q, chosen)]
    added = {n for q in applicable if q["key"] in chosen for n in chosen[q["key"]]["adds_materials"]}
    removed = {n for q in applicable if q["key"] in chosen for n in chosen[q["key"]]["removes_materials"]}
    governed = {n for q in questions for o in q["options"] for n in o["adds_materials"] + o["removes_materials"]}
    out = []
    for m in materials:
        if m["name"] in removed:
            continue
        if m["required"] or m["name"] in added:
            out.append({**m, "conditional": False})
        elif m["name"] not in governed:
            out.append({**m, "conditional": True})
    pending = [{"key": q["key"], "text": q["text"], "options": [o["label"] for o in q["options"]]}
               for q in applicable if q["key"] not in chosen]
    answered = [{"key": q["key"], "text": q["text"], "answer": chosen[q["key"]]["label"]}
                for q in applicable if q["key"] in chosen]
    return {"materials": out, "pending_questions": pending, "answered": answered}


# --- bundles ---------------------------------------------------------------------------------------

def merge_materials(per_item: list[tuple[str, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """One material list for a bundle, each material type listed once with the items that
    need it and the strictest requirement among them: required if any item requires it, an
    original if any wants the original, the most copies, tolerable only if every item
    tolerates its absence. A material any item fetches is still fetched (same type, same
    licence)."""
    merged: dict[str, dict[str, Any]] = {}
    for code, materials in per_item:
        for m in materials:
            key = m["material_type"]["code"]
            entry = merged.get(key)
            if entry is None:
                merged[key] = {**m, "name": m["name"], "names": [m["name"]], "items": [code],
                               "conditional": m.get("conditional", False)}
                continue
            if m["name"] not in entry["names"]:
                entry["names"].append(m["name"])
            if code not in entry["items"]:
                entry["items"].append(code)
            entry["required"] = entry["required"] or m["required"]
            entry["original"] = entry["original"] or m["original"]
            entry["original_or_copy"] = "原件" if entry["original"] else "复印件"
            entry["copies"] = max(entry["copies"], m["copies"])
            entry["tolerable"] = entry["tolerable"] and m["tolerable"]
            entry["conditional"] = entry["conditional"] and m.get("conditional", False)
    for entry in merged.values():
        if len(entry["names"]) > 1:  # several items name it differently: call it by its type
            entry["name"] = entry["material_type"]["name"]
    return list(merged.values())


def merge_questions(per_item: list[tuple[str, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """The union of the items' questions, each key asked once; options are the union of the
    items' options, and `items` says which items the answer applies to."""
    merged: dict[str, dict[str, Any]] = {}
    for code, questions in per_item:
        for q in questions:
            entry = merged.setdefault(q["key"], {"key": q["key"], "text": q["text"], "options": [], "items": []})
            for label in q["options"]:
                label = label["label"] if isinstance(label, dict) else label
                if label not in entry["options"]:
                    entry["options"].append(label)
            if code not in entry["items"]:
                entry["items"].append(code)
    return list(merged.values())
