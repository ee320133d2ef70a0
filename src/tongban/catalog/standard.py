"""The standard elements of an item: their canonical shape and their validation.

One validator for every way a standard enters the catalogue — publishing from the page or the
API, the demo loader, the Excel import — so the rules are written once. It reports every
problem at once (`FieldError` with all of them), each naming the element, e.g.
`materials[3].licence_type`.

Canonical shape (what `ItemVersion.elements` stores, plus `materials` and `questions`, which
become rows)::

    {"name", "type", "department", "level", "audience", "themes": [...], "life_stage",
     "online_depth", "lists": [flags], "legal_days", "legal_days_unit", "fee_standard",
     "basis": [...], "conditions": [...], "condition_rules": [{"fact", "op", "value", "message"}],
     "audit_criteria": [...],
     "process": [{"step", "role", "on_site", "counted"}], "departments_parallel": [ids],
     "outputs": [licence type codes], "keywords": [...], "faq": [{"q", "a"}],
     "form_fields": [key | {"key", "required"}] (optional: the one form's fields, keys of the
     field dictionary), "process_bpmn": "<bpmn:definitions …>" (optional: a custom process,
     validated by core.bpmn; without it the process is generated from `process`),
     "materials": [{"name", "material_type", "source", "provider", "form", "basis", "original",
                    "copies", "media", "audit_criteria", "required", "tolerable", "sample",
                    "blank_form"}],
     "questions": [{"key", "text", "depends_on", "options": [{"label", "adds_materials",
                    "removes_materials"}]}]}

`source` is `applicant`, `licence:<licence type code>`, `form` or `department`.
`condition_rules` are the conditions as rules the eligibility pre-check evaluates
(`conditions.py`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from tongban.core.errors import FieldError

from . import conditions
from .constants import (
    COMPUTED_LISTS,
    FLAG_LISTS,
    LIFE_STAGES,
    ON_SITE_STEPS,
    PROCESS_STEPS,
    STANDARD_ELEMENTS,
    STEP_ROLES,
    THEMES,
    Audience,
    DaysUnit,
    ItemType,
    Level,
    Media,
    OnlineDepth,
    Source,
)

MAX_LEGAL_DAYS = 999
MAX_TEXT = 2000


@dataclass
class References:
    """What a standard may refer to: department ids, licence type codes, material types
    (code → name and name → code). Loaded once per publish or import."""

    departments: set[str]
    licence_types: dict[str, str]  # code → name
    material_types: dict[str, str] = field(default_factory=dict)  # code → name
    material_type_by_name: dict[str, str] = field(default_factory=dict)  # name → code
    licence_material_type: dict[str, str] = field(default_factory=dict)  # licence code → material type code

    @classmethod
    def load(cls) -> References:
        from tongban.identity.models import Department

        from .models import LicenceType, MaterialType

        refs = cls(departments=set(Department.objects.values_list("pk", flat=True)),
                   licence_types=dict(LicenceType.objects.values_list("code", "name")))
        for code, name, licence in MaterialType.objects.values_list("code", "name", "licence_type_id"):
            refs.add_material_type(code, name, licence)
        return refs

    def add_material_type(self, code: str, name: str, licence: str | None = None) -> None:
        self.material_types[code] = name
        self.material_type_by_name[name] = code
        if licence:
            self.licence_material_type[licence] = code


def question_key(text: str) -> str:
    """A stable key for a question text, so the same question in several items of a bundle
    is asked once."""
    return "q-" + hashlib.sha1(text.strip().encode(), usedforsecurity=False).hexdigest()[:10]


def parse_source(source: str) -> tuple[str, str | None]:
    """`licence:ZZ-SFZ` → ("licence", "ZZ-SFZ"); `applicant` → ("applicant", None)."""
    kind, _, licence = (source or "").partition(":")
    return kind, (licence or None)


class _Errors:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, field_name: str, message: str) -> None:
        self.items.append((field_name, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise FieldError(errors=self.items)


def _text(errors: _Errors, name: str, value: Any, *, required: bool = True, limit: int = 200) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(name, "应为文本")
        return ""
    value = value.strip()
    if required and not value:
        errors.add(name, "不能为空")
    elif len(value) > limit:
        errors.add(name, f"不能超过{limit}个字符")
    return value


def _texts(errors: _Errors, name: str, value: Any, *, limit: int = MAX_TEXT) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = list(value.splitlines())
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.add(name, "应为文本列表")
        return []
    out = [v.strip() for v in value if v and v.strip()]
    if any(len(v) > limit for v in out):
        errors.add(name, f"每项不能超过{limit}个字符")
    return out


def _choice(errors: _Errors, name: str, value: Any, choices, label: str) -> str:
    allowed = [c.value if hasattr(c, "value") else c for c in choices]
    if value not in allowed:
        errors.add(name, f"{label}“{value}”不是允许的取值（可选：{'、'.join(map(str, allowed))}）")
    return value


def _bool(errors: _Errors, name: str, value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if value in ("是", "true", "True", 1, "1"):
        return True
    if value in ("否", "false", "False", 0, "0", ""):
        return False
    errors.add(name, "应为“是”或“否”")
    return default


def _int(errors: _Errors, name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors.add(name, "应为整数")
        return lo
    try:
        number = int(value)
    except ValueError:
        errors.add(name, "应为整数")
        return lo
    if not lo <= number <= hi:
        errors.add(name, f"应在{lo}到{hi}之间")
    return number


def clean_standard(data: dict[str, Any], refs: References) -> dict[str, Any]:
    """Validate a complete standard and return it in canonical shape."""
    errors = _Errors()
    unknown = sorted(set(data) - set(STANDARD_ELEMENTS) - {"uncounted_steps"})
    for key in unknown:
        errors.add(key, "不是事项的标准要素")
    out: dict[str, Any] = {
        "name": _text(errors, "name", data.get("name")),
        "type": _choice(errors, "type", data.get("type"), ItemType, "事项类型"),
        "department": data.get("department"),
        "level": _choice(errors, "level", data.get("level"), Level, "实施层级"),
        "audience": _choice(errors, "audience", data.get("audience"), Audience, "服务对象"),
        "themes": _texts(errors, "themes", data.get("themes")),
        "life_stage": data.get("life_stage") or "",
        "online_depth": _choice(errors, "online_depth", data.get("online_depth"), OnlineDepth, "网办深度"),
        "lists": _texts(errors, "lists", data.get("lists")),
        "legal_days": _int(errors, "legal_days", data.get("legal_days"), 0, MAX_LEGAL_DAYS),
        "legal_days_unit": _choice(errors, "legal_days_unit", data.get("legal_days_unit") or DaysUnit.WORKING,
                                   DaysUnit, "时限单位"),
        "fee_standard": _text(errors, "fee_standard", data.get("fee_standard") or "不收费", limit=300),
        "basis": _texts(errors, "basis", data.get("basis")),
        "conditions": _texts(errors, "conditions", data.get("conditions")),
        "condition_rules": _condition_rules(errors, data.get("condition_rules"), refs),
        "audit_criteria": _texts(errors, "audit_criteria", data.get("audit_criteria")),
        "departments_parallel": _texts(errors, "departments_parallel", data.get("departments_parallel")),
        "outputs": _texts(errors, "outputs", data.get("outputs")),
        "keywords": _texts(errors, "keywords", data.get("keywords"), limit=40),
        "faq": _faq(errors, data.get("faq")),
    }
    _check_references(errors, out, refs)
    out["process"] = _process(errors, data.get("process"), data.get("uncounted_steps"))
    if data.get("form_fields"):  # optional elements: absent from versions that never had them
        out["form_fields"] = _form_fields(errors, data["form_fields"])
    if data.get("process_bpmn"):
        out["process_bpmn"] = _process_bpmn(errors, data["process_bpmn"], refs)
    out["materials"] = _materials(errors, data.get("materials"), refs)
    out["questions"] = _questions(errors, data.get("questions"), {m["name"] for m in out["materials"]})
    _check_consistency(errors, out)
    errors.raise_if_any()
    return out


def _form_fields(errors: _Errors, value: Any) -> list[Any]:
    """Keys of the field dictionary (`FormField`), each a key or `{"key", "required"}`."""
    from .models import FormField

    if not isinstance(value, list):
        errors.add("form_fields", "应为字段键的列表")
        return []
    known = set(FormField.objects.values_list("key", flat=True))
    out: list[Any] = []
    for i, entry in enumerate(value):
        key = entry.get("key") if isinstance(entry, dict) else entry
        if not isinstance(key, str) or key not in known:
            errors.add(f"form_fields[{i}]", f"字段字典中没有字段“{key}”")
        elif isinstance(entry, dict):
            out.append({"key": key, "required": entry.get("required") is True})
        else:
            out.append(key)
    return out


def _process_bpmn(errors: _Errors, value: Any, refs: References) -> str:
    """A custom BPMN process: safe elements only (core.bpmn.validate), known departments."""
    from tongban.core import bpmn

    if not isinstance(value, str):
        errors.add("process_bpmn", "应为 BPMN 2.0 XML 文本")
        return ""
    try:
        definition = bpmn.validate(value)
    except FieldError as exc:
        for _, message in exc.errors:
            errors.add("process_bpmn", message)
        return ""
    for step in definition.steps.values():
        if step.department and step.department not in refs.departments:
            errors.add("process_bpmn", f"环节“{step.name}”的部门“{step.department}”不存在")
    return value


def _condition_rules(errors: _Errors, value: Any, refs: References) -> list[dict[str, Any]]:
    rules, problems = conditions.check_rules(value, refs.licence_types)
    for field_name, message in problems:
        errors.add(field_name, message)
    return rules


def _faq(errors: _Errors, value: Any) -> list[dict[str, str]]:
    if not value:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        errors.add("faq", "应为问答列表")
        return []
    return [{"q": _text(errors, f"faq[{i}].q", v.get("q"), limit=300),
             "a": _text(errors, f"faq[{i}].a", v.get("a"), limit=MAX_TEXT)} for i, v in enumerate(value)]


def _check_references(errors: _Errors, out: dict[str, Any], refs: References) -> None:
    if out["department"] not in refs.departments:
        errors.add("department", f"未知部门“{out['department']}”")
    for theme in out["themes"]:
        if theme not in THEMES:
            errors.add("themes", f"未知主题“{theme}”")
    if out["life_stage"] and out["life_stage"] not in LIFE_STAGES:
        errors.add("life_stage", f"未知生命周期阶段“{out['life_stage']}”")
    for name in out["lists"]:
        if name in COMPUTED_LISTS:
            errors.add("lists", f"“{name}”由申请材料自动计算，不能直接设置")
        elif name not in FLAG_LISTS:
            errors.add("lists", f"未知特色清单“{name}”")
    for dept in out["departments_parallel"]:
        if dept not in refs.departments:
            errors.add("departments_parallel", f"未知部门“{dept}”")
    for code in out["outputs"]:
        if code not in refs.licence_types:
            errors.add("outputs", f"未知证照类型“{code}”")


def _process(errors: _Errors, value: Any, uncounted: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        errors.add("process", "办理流程不能为空")
        return []
    uncounted_steps = set(uncounted or [])
    steps: list[dict[str, Any]] = []
    for i, raw in enumerate(value):
        entry = raw if isinstance(raw, dict) else {"step": raw}
        step = entry.get("step")
        if step not in PROCESS_STEPS:
            errors.add(f"process[{i}]", f"未知办理环节“{step}”（可选：{'、'.join(PROCESS_STEPS)}）")
            continue
        counted = entry.get("counted", step not in uncounted_steps)
        steps.append({"step": step, "role": entry.get("role") or STEP_ROLES[step],
                      "on_site": bool(entry.get("on_site", step in ON_SITE_STEPS)), "counted": bool(counted)})
    for step in uncounted_steps - {s["step"] for s in steps}:
        errors.add("uncounted_steps", f"不计时环节“{step}”不在办理流程中")
    return steps


def _materials(errors: _Errors, value: Any, refs: References) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        errors.add("materials", "应为材料列表")
        return []
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, raw in enumerate(value):
        at = f"materials[{i}]"
        if not isinstance(raw, dict):
            errors.add(at, "应为对象")
            continue
        m = _material(errors, at, raw, refs)
        if m["name"] in seen:
            errors.add(f"{at}.name", f"材料“{m['name']}”重复")
        seen.add(m["name"])
        out.append(m)
    return out


def _material(errors: _Errors, at: str, raw: dict[str, Any], refs: References) -> dict[str, Any]:
    name = _text(errors, f"{at}.name", raw.get("name"))
    source = raw.get("source") or Source.APPLICANT
    if raw.get("licence_type") and ":" not in source:  # the reference data's notation
        source = f"{source}:{raw['licence_type']}"
    kind, licence = parse_source(source)
    if kind not in Source.values:
        errors.add(f"{at}.source", f"来源“{source}”无效（applicant、licence:<证照类型>、form 或 department）")
    if kind == Source.LICENCE and licence not in refs.licence_types:
        errors.add(f"{at}.licence_type", f"未知证照类型“{licence}”")
    provider = raw.get("provider") or None
    if kind == Source.DEPARTMENT and provider not in refs.departments:
        errors.add(f"{at}.provider", f"共享提供部门“{provider}”未知")
    m = {
        "name": name,
        "material_type": _material_type(raw, kind, licence, name, refs),
        "source": source,
        "provider": provider if kind == Source.DEPARTMENT else None,
        "form": _text(errors, f"{at}.form", raw.get("form"), required=False),
        "basis": _text(errors, f"{at}.basis", raw.get("basis"), required=False, limit=300),
        "original": _bool(errors, f"{at}.original", raw.get("original"), True),
        "copies": _int(errors, f"{at}.copies", raw.get("copies", 1), 0, 99),
        "media": raw.get("media") or (Media.ELECTRONIC if kind != Source.APPLICANT else Media.BOTH),
        "audit_criteria": _text(errors, f"{at}.audit_criteria", raw.get("audit_criteria"), required=False,
                                limit=500),
        "required": _bool(errors, f"{at}.required", raw.get("required"), True),
        "tolerable": _bool(errors, f"{at}.tolerable", raw.get("tolerable"), False),
        "sample": _text(errors, f"{at}.sample", raw.get("sample"), required=False),
        "blank_form": _text(errors, f"{at}.blank_form", raw.get("blank_form") or raw.get("form"), required=False),
    }
    _choice(errors, f"{at}.media", m["media"], Media, "介质")
    if m["tolerable"] and not (m["required"] and kind == Source.APPLICANT):
        errors.add(f"{at}.tolerable", "只有申请人提交的必要材料才可容缺受理（R10）")
    return m


def _material_type(raw: dict[str, Any], kind: str, licence: str | None, name: str, refs: References) -> str:
    """The material type's code, or `new:<name>` for a type the catalogue does not know yet
    (the action creates it)."""
    given = raw.get("material_type")
    if isinstance(given, str) and given.startswith("new:"):
        return given
    if given in refs.material_types:
        return given
    if given in refs.material_type_by_name:
        return refs.material_type_by_name[given]
    if kind == Source.LICENCE and licence in refs.licence_material_type:
        return refs.licence_material_type[licence]
    if name in refs.material_type_by_name:
        return refs.material_type_by_name[name]
    return f"new:{given or name}"


def _questions(errors: _Errors, value: Any, material_names: set[str]) -> list[dict[str, Any]]:
    if not value:
        return []
    if not isinstance(value, list):
        errors.add("questions", "应为问题列表")
        return []
    out: list[dict[str, Any]] = []
    labels_of: dict[str, set[str]] = {}
    for i, raw in enumerate(value):
        at = f"questions[{i}]"
        if not isinstance(raw, dict):
            errors.add(at, "应为对象")
            continue
        text = _text(errors, f"{at}.text", raw.get("text") or raw.get("question"), limit=300)
        key = raw.get("key") or question_key(text)
        if key in labels_of:
            errors.add(f"{at}.key", f"问题键“{key}”重复")
        options = _options(errors, at, raw.get("options"), material_names)
        depends_on = raw.get("depends_on") or {}
        if not isinstance(depends_on, dict):
            errors.add(f"{at}.depends_on", "应为 {问题键: [选项]} 对象")
            depends_on = {}
        for dep, labels in depends_on.items():
            wanted = {labels} if isinstance(labels, str) else set(labels or [])
            if dep not in labels_of:
                errors.add(f"{at}.depends_on", f"前置问题“{dep}”须是排在前面的问题")
            elif not wanted <= labels_of[dep]:
                errors.add(f"{at}.depends_on", f"前置问题“{dep}”没有选项“{'、'.join(sorted(wanted - labels_of[dep]))}”")
        depends_on = {k: sorted({v} if isinstance(v, str) else set(v or [])) for k, v in depends_on.items()}
        labels_of[key] = {o["label"] for o in options}
        out.append({"key": key, "text": text, "depends_on": depends_on, "options": options})
    return out


def _options(errors: _Errors, at: str, value: Any, material_names: set[str]) -> list[dict[str, Any]]:
    if not isinstance(value, list) or len(value) < 2:
        errors.add(f"{at}.options", "至少需要两个选项")
        return []
    out = []
    for j, raw in enumerate(value):
        where = f"{at}.options[{j}]"
        raw = raw if isinstance(raw, dict) else {"label": raw}
        option = {"label": _text(errors, f"{where}.label", raw.get("label"), limit=100),
                  "adds_materials": _texts(errors, f"{where}.adds_materials", raw.get("adds_materials")),
                  "removes_materials": _texts(errors, f"{where}.removes_materials", raw.get("removes_materials"))}
        for name in option["adds_materials"] + option["removes_materials"]:
            if name not in material_names:
                errors.add(where, f"材料“{name}”不在申请材料清单中")
        out.append(option)
    labels = [o["label"] for o in out]
    if len(labels) != len(set(labels)):
        errors.add(f"{at}.options", "选项重复")
    return out


def _check_consistency(errors: _Errors, s: dict[str, Any]) -> None:
    """The special lists must say what the item does (the reference data's validator)."""
    lists = set(s["lists"])
    if ("全程网办" in lists) != (s["online_depth"] == OnlineDepth.FULL):
        errors.add("lists", "“全程网办”清单须与网办深度“全程网办”一致")
    if "秒批秒办" in lists and "全程网办" not in lists:
        errors.add("lists", "“秒批秒办”事项须全程网办")
    if "最多跑一次" in lists and s["online_depth"] == OnlineDepth.VISITS:
        errors.add("lists", "“最多跑一次”事项不能是“到现场多次”")
    if s["outputs"] and "制证" not in {p["step"] for p in s["process"]}:
        errors.add("process", "办理结果为证照的事项须有“制证”环节")


def computed_lists(materials: list[dict[str, Any]]) -> list[str]:
    """容缺受理 and 免提交, computed from the materials (never a hand-kept list)."""
    out = []
    if any(m["tolerable"] for m in materials):
        out.append("容缺受理")
    if any(parse_source(m["source"])[0] in (Source.LICENCE, Source.DEPARTMENT) for m in materials):
        out.append("免提交")
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The standard elements that differ, in the order of STANDARD_ELEMENTS."""
    return [key for key in STANDARD_ELEMENTS if before.get(key) != after.get(key)]
