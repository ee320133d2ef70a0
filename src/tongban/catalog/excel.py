"""Bulk maintenance in Excel (A8): export the catalogue as a workbook, import it back.

Four sheets — 事项, 实施清单, 材料, 情形问题 — and export writes exactly what import reads, so an
exported file imported unchanged changes nothing. Import reads and validates the whole file
first; every problem names its sheet, row, column and reason in Chinese, and comes back both
as a list and as the workbook with the faulty cells marked. Only a file without problems is
written, in one transaction: changed items become new versions (through `publish_item`), new
items version 1, implementations are created or updated through their actions.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tongban.core import audit
from tongban.core.errors import Conflict, FieldError, NotFound
from tongban.identity.models import Department, Region

from . import actions
from .constants import LIFE_STAGES, LOCAL_FIELDS, STANDARD_ALIASES, STANDARD_ELEMENTS, STEP_ROLES, Audience, DaysUnit
from .constants import Level as LevelChoice
from .constants import Media as MediaChoice
from .models import ItemImplementation, ServiceItem
from .permissions import can_edit_catalog
from .standard import References, clean_standard, diff
from .versions import standard_of

MAX_BYTES = 20 * 2**20
MAX_ROWS = 50_000
LIST_SEP = "、"
YES, NO = "是", "否"

ITEMS, IMPLEMENTATIONS, MATERIALS, QUESTIONS = "事项", "实施清单", "材料", "情形问题"
ITEM_COLUMNS = [
    ("code", "事项编码"), ("name", "事项名称"), ("type", "事项类型"), ("department", "主管部门"),
    ("level", "实施层级"), ("audience", "服务对象"), ("themes", "主题"), ("life_stage", "生命周期阶段"),
    ("online_depth", "网办深度"), ("lists", "特色清单"), ("legal_days", "法定办结时限"),
    ("legal_days_unit", "法定时限单位"), ("fee_standard", "收费标准"), ("basis", "设定依据"),
    ("conditions", "受理条件"), ("condition_rules", "受理条件（规则）"), ("audit_criteria", "审核准则"),
    ("process", "办理流程"),
    ("uncounted_steps", "不计时环节"), ("departments_parallel", "并联审批部门"), ("outputs", "办理结果（证照）"),
    ("keywords", "关键词"), ("faq", "常见问题"), ("version", "当前版本"),
]
IMPLEMENTATION_COLUMNS = [("code", "事项编码"), ("region", "实施区划"), ("department", "实施部门"),
                          *LOCAL_FIELDS.items()]
MATERIAL_COLUMNS = [
    ("code", "事项编码"), ("position", "序号"), ("name", "材料名称"), ("material_type", "材料类型"),
    ("source", "来源"), ("provider", "共享提供部门"), ("form", "表单名称"), ("basis", "设定依据"),
    ("original", "原件"), ("copies", "份数"), ("media", "介质"), ("audit_criteria", "审核要点"),
    ("required", "必要"), ("tolerable", "可容缺"), ("sample", "示范文本"), ("blank_form", "空白表格"),
]
QUESTION_COLUMNS = [("code", "事项编码"), ("key", "问题键"), ("text", "问题"), ("depends_on", "前置条件"),
                    ("label", "选项"), ("adds_materials", "增加材料"), ("removes_materials", "减少材料")]
SHEETS = {ITEMS: ITEM_COLUMNS, IMPLEMENTATIONS: IMPLEMENTATION_COLUMNS, MATERIALS: MATERIAL_COLUMNS,
          QUESTIONS: QUESTION_COLUMNS}
# Cells in Chinese, values in code.
LABELS = {"level": LevelChoice, "audience": Audience, "legal_days_unit": DaysUnit, "media": MediaChoice}
NEWLINE_LISTS = {"basis", "conditions", "audit_criteria", "adds_materials", "removes_materials"}
SHORT_LISTS = {"themes", "lists", "uncounted_steps", "departments_parallel", "outputs", "keywords"}


@dataclass
class Problem:
    sheet: str
    row: int
    column: str
    message: str

    def as_detail(self) -> dict[str, str]:
        where = f"工作表“{self.sheet}”" + (f"第{self.row}行" if self.row else "") + (
            f"“{self.column}”列" if self.column else "")
        return {"field": f"{self.sheet}!{self.column or ''}{self.row or ''}", "message": f"{where}：{self.message}"}


class ImportFailed(FieldError):
    """The file has problems; nothing was written. Carries the workbook with them marked."""

    def __init__(self, problems: list[Problem], workbook: bytes | None) -> None:
        self.problems = problems
        self.workbook = workbook
        super().__init__(errors=[(p.as_detail()["field"], p.as_detail()["message"]) for p in problems])


# --- export ----------------------------------------------------------------------------------------

def _cell(key: str, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if key in LABELS:
        return LABELS[key](value).label
    if key == "life_stage":
        return LIFE_STAGES.get(value, value)
    if key in NEWLINE_LISTS and isinstance(value, list):
        return "\n".join(value)
    if key in SHORT_LISTS and isinstance(value, list):
        return LIST_SEP.join(value)
    if key == "process":
        return "→".join(p["step"] if p["role"] == STEP_ROLES[p["step"]] else f"{p['step']}（{p['role']}）"
                        for p in value)
    if key in ("faq", "depends_on", "condition_rules"):
        return json.dumps(value, ensure_ascii=False) if value else ""
    return value


def _item_row(item: ServiceItem, s: dict[str, Any]) -> list[Any]:
    values = {**s, "code": item.code, "version": item.version,
              "uncounted_steps": [p["step"] for p in s["process"] if not p["counted"]]}
    return [_cell(key, values.get(key)) for key, _ in ITEM_COLUMNS]


def _as_text(book) -> None:
    """No formula injection: openpyxl turns any string starting with "=" into a formula, and the
    texts are editable by officers (notes, fees, places). Every cell is stored as text, so Excel
    shows "=HYPERLINK(…)" as typed and the import reads it back unchanged; "+", "-" and "@" are
    already text cells. The export holds no formula of its own."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def export_workbook(items: Iterable[ServiceItem] | None = None) -> bytes:
    """The catalogue (or the given items) with implementations, materials and questions."""
    from openpyxl import Workbook

    items = list(items if items is not None else
                 ServiceItem.objects.filter(active=True).select_related("current_version").order_by("code"))
    book = Workbook()
    sheets = {}
    for n, (title, columns) in enumerate(SHEETS.items()):
        sheet = book.active if n == 0 else book.create_sheet()
        sheet.title = title
        sheet.append([label for _, label in columns])
        sheet.freeze_panes = "A2"
        sheets[title] = sheet
    for item in items:
        s = standard_of(item.current_version)
        sheets[ITEMS].append(_item_row(item, s))
        for i, m in enumerate(s["materials"], start=1):
            sheets[MATERIALS].append([_cell(k, {**m, "code": item.code, "position": i}.get(k))
                                      for k, _ in MATERIAL_COLUMNS])
        for q in s["questions"]:
            for o in q["options"]:
                values = {"code": item.code, "key": q["key"], "text": q["text"], "depends_on": q["depends_on"], **o}
                sheets[QUESTIONS].append([_cell(k, values.get(k)) for k, _ in QUESTION_COLUMNS])
    impls = (ItemImplementation.objects.filter(item__in=items, active=True).select_related("item")
             .order_by("item__code", "region__path"))
    for impl in impls:
        values = {"code": impl.item.code, "region": impl.region_id, "department": impl.department_id}
        sheets[IMPLEMENTATIONS].append([values[k] if k in values else _cell(k, getattr(impl, k))
                                        for k, _ in IMPLEMENTATION_COLUMNS])
    _as_text(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading -----------------------------------------------------------------------------------------

@dataclass
class Sheet:
    title: str
    columns: dict[str, int]  # key → column index (0-based)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (row number, key → value)

    def letter(self, key: str) -> str:
        from openpyxl.utils import get_column_letter

        return get_column_letter(self.columns[key] + 1) if key in self.columns else ""


def _open(data: bytes):
    from openpyxl import load_workbook

    if len(data) > MAX_BYTES:
        raise FieldError("file", f"文件过大（超过{MAX_BYTES // 2**20}MB），请分批导入")
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # zip, XML or format errors all mean the same to the officer
        raise FieldError("file", "无法读取文件：不是有效的 Excel 工作簿（.xlsx）") from None


def _read_sheets(book, problems: list[Problem]) -> dict[str, Sheet]:
    found: dict[str, Sheet] = {}
    for title, columns in SHEETS.items():
        if title not in book.sheetnames:
            problems.append(Problem(title, 0, "", "缺少工作表"))
            continue
        rows = book[title].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        by_label = {label: key for key, label in columns}
        standard_labels = {label: key for key, label in {**STANDARD_ELEMENTS, **STANDARD_ALIASES}.items()}
        for label in by_label:
            if label not in header and by_label[label] not in ("version", "position"):
                problems.append(Problem(title, 1, label, "缺少列（请勿删除或改名）"))
        for label in header:
            if not label or label in by_label:
                continue
            reason = ("是事项的标准要素，实施清单不能修改" if title == IMPLEMENTATIONS and label in standard_labels
                      else "未知列（请勿新增或改名）")
            problems.append(Problem(title, 1, label, reason))
        sheet = Sheet(title, {by_label[h]: i for i, h in enumerate(header) if h in by_label})
        for number, values in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:
                problems.append(Problem(title, number, "", f"行数超过{MAX_ROWS}，请分批导入"))
                break
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            sheet.rows.append((number, {k: _plain(values[i] if i < len(values) else None)
                                        for k, i in sheet.columns.items()}))
        found[title] = sheet
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return "" if value is None else value


def _split(value: Any, sep: str) -> list[str]:
    if value in ("", None):
        return []
    return [part.strip() for part in str(value).split(sep) if part.strip()]


def _from_label(key: str, value: Any) -> Any:
    if key in LABELS:
        by_label = {c.label: c.value for c in LABELS[key]}
        return by_label.get(value, value)
    if key == "life_stage":
        return {v: k for k, v in LIFE_STAGES.items()}.get(value, value)
    return value


def _flag(value: Any) -> Any:
    return {YES: True, NO: False, "": None}.get(value, value)


def _json(value: Any) -> Any:
    if value in ("", None):
        return None
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value  # left for the validator to name


def _process(value: Any) -> list[dict[str, Any]] | Any:
    steps = []
    for part in _split(value, "→"):
        match = re.fullmatch(r"(.+?)（(.+)）", part)
        steps.append({"step": match.group(1), "role": match.group(2)} if match else {"step": part})
    return steps


def _item_standard(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, _ in ITEM_COLUMNS:
        if key in ("code", "version") or key not in values:
            continue
        value = values[key]
        if key in NEWLINE_LISTS:
            value = _split(value, "\n")
        elif key in SHORT_LISTS:
            value = _split(value, LIST_SEP)
        elif key == "process":
            value = _process(value)
        elif key in ("faq", "condition_rules"):
            value = _json(value) or []
        else:
            value = _from_label(key, value)
        out[key] = value
    return out


def _material(values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, _ in MATERIAL_COLUMNS:
        if key in ("code", "position"):
            continue
        value = values.get(key, "")
        if key in ("original", "required", "tolerable"):
            value = _flag(value)
        elif key == "media":
            value = _from_label(key, value) or None
        elif key in ("provider", "material_type") and value == "":
            value = None
        out[key] = value
    return out


# --- validating ---------------------------------------------------------------------------------------

@dataclass
class ItemRows:
    """Where an item's parts sit in the file, to put a validator's message on the right cell."""

    row: int
    standard: dict[str, Any]
    material_rows: list[int] = field(default_factory=list)
    question_rows: list[list[int]] = field(default_factory=list)  # per question, the row of each option
    cleaned: dict[str, Any] | None = None


PATH = re.compile(r"^(materials|questions)\[(\d+)\](?:\.options\[(\d+)\])?(?:\.(\w+))?")


def _locate(code: str, rows: ItemRows, field_path: str, sheets: dict[str, Sheet]) -> tuple[str, int, str]:
    match = PATH.match(field_path)
    if match is None:
        key = field_path.split(".")[0].split("[")[0]
        label = dict(ITEM_COLUMNS).get(key, key)
        return ITEMS, rows.row, label
    part, index, option, attr = match.groups()
    index = int(index)
    if part == "materials":
        attr = {"licence_type": "source"}.get(attr or "", attr or "name")
        row = rows.material_rows[index] if index < len(rows.material_rows) else rows.row
        return MATERIALS, row, dict(MATERIAL_COLUMNS).get(attr, "材料名称")
    q_rows = rows.question_rows[index] if index < len(rows.question_rows) else [rows.row]
    row = q_rows[int(option)] if option is not None and int(option) < len(q_rows) else q_rows[0]
    attr = "label" if attr in (None, "options") and option is not None else (attr or "text")
    return QUESTIONS, row, dict(QUESTION_COLUMNS).get(attr, "问题")


def _collect_items(sheets: dict[str, Sheet], problems: list[Problem]) -> dict[str, ItemRows]:
    items: dict[str, ItemRows] = {}
    for row, values in sheets[ITEMS].rows:
        code = str(values.get("code") or "")
        if not code:
            problems.append(Problem(ITEMS, row, "事项编码", "不能为空"))
        elif code in items:
            problems.append(Problem(ITEMS, row, "事项编码", f"事项编码 {code} 在文件中重复（第{items[code].row}行）"))
        else:
            items[code] = ItemRows(row, {**_item_standard(values), "materials": [], "questions": []})
    for row, values in sheets[MATERIALS].rows:
        target = items.get(str(values.get("code") or ""))
        if target is None:
            problems.append(Problem(MATERIALS, row, "事项编码", f"事项 {values.get('code')} 不在“事项”工作表中"))
            continue
        target.standard["materials"].append(_material(values))
        target.material_rows.append(row)
    for row, values in sheets[QUESTIONS].rows:
        target = items.get(str(values.get("code") or ""))
        if target is None:
            problems.append(Problem(QUESTIONS, row, "事项编码", f"事项 {values.get('code')} 不在“事项”工作表中"))
            continue
        _add_option(target, row, values)
    return items


def _add_option(target: ItemRows, row: int, values: dict[str, Any]) -> None:
    questions = target.standard["questions"]
    key, text = values.get("key") or None, values.get("text") or ""
    last = questions[-1] if questions else None
    if last is None or (last.get("key"), last["text"]) != (key, text):
        last = {"key": key, "text": text, "depends_on": _json(values.get("depends_on")) or {}, "options": []}
        questions.append(last)
        target.question_rows.append([])
    last["options"].append({"label": values.get("label") or "",
                            "adds_materials": _split(values.get("adds_materials"), "\n"),
                            "removes_materials": _split(values.get("removes_materials"), "\n")})
    target.question_rows[-1].append(row)


def _validate_items(items: dict[str, ItemRows], sheets: dict[str, Sheet], refs: References,
                    problems: list[Problem]) -> None:
    for code, rows in items.items():
        try:
            rows.cleaned = clean_standard(rows.standard, refs)
        except FieldError as exc:
            for path, message in exc.errors:
                sheet, row, column = _locate(code, rows, path, sheets)
                problems.append(Problem(sheet, row, column, message))


@dataclass
class ImplRow:
    row: int
    code: str
    region: str
    department: str
    local: dict[str, Any]


def _validate_implementations(sheets: dict[str, Sheet], items: dict[str, ItemRows], existing: dict[str, ServiceItem],
                              problems: list[Problem]) -> list[ImplRow]:
    regions = set(Region.objects.values_list("pk", flat=True))
    departments = set(Department.objects.values_list("pk", flat=True))
    seen: dict[tuple[str, str], int] = {}
    out = []
    for row, values in sheets[IMPLEMENTATIONS].rows:
        code, region, dept = (str(values.get(k) or "") for k in ("code", "region", "department"))
        if code not in items and code not in existing:
            problems.append(Problem(IMPLEMENTATIONS, row, "事项编码", f"未知事项 {code}"))
            continue
        if region not in regions:
            problems.append(Problem(IMPLEMENTATIONS, row, "实施区划", f"未知行政区划 {region}"))
        if dept not in departments:
            problems.append(Problem(IMPLEMENTATIONS, row, "实施部门", f"未知部门 {dept}"))
        if (code, region) in seen:
            problems.append(Problem(IMPLEMENTATIONS, row, "实施区划",
                                    f"事项 {code} 在该区划的实施清单重复（第{seen[code, region]}行）"))
        seen[code, region] = row
        local = {k: values[k] if k == "promised_days" else str(values[k]) for k in LOCAL_FIELDS if k in values}
        promised = local.get("promised_days")
        legal, unit = _legal(code, items, existing)
        if not isinstance(promised, int) or isinstance(promised, bool) or promised < 0:
            problems.append(Problem(IMPLEMENTATIONS, row, LOCAL_FIELDS["promised_days"], "应为不小于0的整数（工作日）"))
        elif legal is not None and promised > legal:
            problems.append(Problem(IMPLEMENTATIONS, row, LOCAL_FIELDS["promised_days"],
                                    f"承诺时限{promised}个工作日超过法定时限{legal}"
                                    f"{'个工作日' if unit == DaysUnit.WORKING else '日'}"))
        out.append(ImplRow(row, code, region, dept, local))
    return out


def _legal(code: str, items: dict[str, ItemRows], existing: dict[str, ServiceItem]) -> tuple[int | None, str]:
    if code in items:
        cleaned = items[code].cleaned
        return (cleaned["legal_days"], cleaned["legal_days_unit"]) if cleaned else (None, "")
    return existing[code].legal_days, existing[code].legal_days_unit


# --- the whole import ---------------------------------------------------------------------------------

def import_workbook(actor: Any, data: bytes, *, effective_date: dt.date | None = None,
                    summary: str = "Excel 批量导入") -> dict[str, int]:
    """Validate the whole file, then write all of it or nothing. Returns what changed."""
    if not can_edit_catalog(actor):
        raise PermissionDenied
    effective_date = effective_date or timezone.localdate()
    problems: list[Problem] = []
    book = _open(data)
    try:
        sheets = _read_sheets(book, problems)
    finally:
        book.close()
    if len(sheets) < len(SHEETS) or problems:
        raise ImportFailed(problems, mark(data, problems))
    refs = References.load()
    items = _collect_items(sheets, problems)
    existing = {i.code: i for i in ServiceItem.objects.filter(code__in=set(items) | {
        str(v.get("code") or "") for _, v in sheets[IMPLEMENTATIONS].rows}).select_related("current_version")}
    _validate_items(items, sheets, refs, problems)
    impls = _validate_implementations(sheets, items, existing, problems)
    if problems:
        raise ImportFailed(problems, mark(data, problems))
    try:
        with transaction.atomic():
            counts = _write(actor, items, impls, existing, effective_date, summary)
            if any(counts.values()):
                audit.record("catalog.import", actor=actor, data=counts)
    except _WriteFailed as exc:
        raise ImportFailed(exc.problems, mark(data, exc.problems)) from None
    return counts


class _WriteFailed(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems


def _write(actor: Any, items: dict[str, ItemRows], impls: list[ImplRow], existing: dict[str, ServiceItem],
           effective_date: dt.date, summary: str) -> dict[str, int]:
    counts = {"items_created": 0, "items_updated": 0, "implementations_created": 0, "implementations_updated": 0}
    problems: list[Problem] = []
    current = {(i.item.code, i.region_id): i for i in ItemImplementation.objects.filter(
        item__code__in={r.code for r in impls}).select_related("item")}

    def attempt(sheet: str, row: int, column: str, call) -> bool:
        try:
            call()
            return True
        except (FieldError, Conflict, NotFound, PermissionDenied) as exc:
            message = ("不在您的部门和区划范围内" if isinstance(exc, NotFound | PermissionDenied)
                       else getattr(exc, "message", None) or "；".join(m for _, m in exc.errors))
            problems.append(Problem(sheet, row, column, message))
            return False

    # Promises that shrink go first, so that a lower legal limit in the same file fits them.
    updates = [r for r in impls if (r.code, r.region) in current]
    first = [r for r in updates if r.local.get("promised_days", 0) <= current[r.code, r.region].promised_days]
    counts["implementations_updated"] += _update_impls(actor, first, current, problems)
    for code, rows in items.items():
        item = existing.get(code)
        if item is None:
            if attempt(ITEMS, rows.row, "事项编码", lambda c=code, r=rows: actions.create_item(
                    actor, code=c, standard=r.cleaned, effective_date=effective_date, summary=summary)):
                counts["items_created"] += 1
        elif diff(standard_of(item.current_version), rows.cleaned) and attempt(
                ITEMS, rows.row, "事项编码", lambda i=item, r=rows: actions.publish_item(
                    actor, i, changes=r.cleaned, effective_date=effective_date, summary=summary,
                    base_version=i.version)):
            counts["items_updated"] += 1
    done = {id(r) for r in first}
    later = [r for r in updates if id(r) not in done]
    if later:  # their legal limit may have just changed
        refreshed = ItemImplementation.objects.filter(pk__in=[current[r.code, r.region].pk for r in later])
        for impl in refreshed.select_related("item"):
            current[impl.item.code, impl.region_id] = impl
    counts["implementations_updated"] += _update_impls(actor, later, current, problems)
    for r in impls:
        if (r.code, r.region) in current:
            continue
        item = ServiceItem.objects.filter(code=r.code).first()
        if attempt(IMPLEMENTATIONS, r.row, "实施区划", lambda r=r, i=item: actions.create_implementation(
                actor, i, department=Department.objects.get(pk=r.department),
                region=Region.objects.get(pk=r.region), **r.local)):
            counts["implementations_created"] += 1
    if problems:
        raise _WriteFailed(problems)
    return counts


def _update_impls(actor: Any, rows: list[ImplRow], current: dict[tuple[str, str], ItemImplementation],
                  problems: list[Problem]) -> int:
    """Changed local elements, in one bulk action; unchanged rows are skipped."""
    batch: list[tuple[ImplRow, ItemImplementation, dict[str, Any]]] = []
    for r in rows:
        impl = current[r.code, r.region]
        if impl.department_id != r.department:
            problems.append(Problem(IMPLEMENTATIONS, r.row, "实施部门", "实施部门不能通过导入更换，请联系管理员"))
            continue
        changed = {k: v for k, v in r.local.items() if getattr(impl, k) != v}
        if changed:
            batch.append((r, impl, changed))
    if not batch:
        return 0
    try:
        return actions.update_implementations(actor, [(impl, changed) for _, impl, changed in batch])
    except PermissionDenied:
        problems.extend(Problem(IMPLEMENTATIONS, r.row, "", "不在您的部门和区划范围内") for r, _, _ in batch)
    except FieldError as exc:
        for path, message in exc.errors:
            index, _, key = path.partition(".")
            r = batch[int(index.strip("[]"))][0]
            problems.append(Problem(IMPLEMENTATIONS, r.row, LOCAL_FIELDS.get(key, ""), message))
    return 0


# --- the marked workbook --------------------------------------------------------------------------------

def mark(data: bytes, problems: list[Problem]) -> bytes | None:
    """The uploaded workbook with each faulty cell filled red and commented, and a sheet
    “错误报告” listing every problem. None when the file cannot be opened for writing."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    try:
        book = load_workbook(io.BytesIO(data))
    except Exception:
        return None
    red = PatternFill("solid", fgColor="FFC7CE")
    for p in problems:
        if p.sheet not in book.sheetnames:
            continue
        sheet = book[p.sheet]
        header = [c.value for c in sheet[1]]
        column = header.index(p.column) + 1 if p.column in header else 1
        cell = sheet.cell(row=max(p.row, 1), column=column)
        cell.fill = red
        cell.comment = Comment(p.message if not cell.comment else f"{cell.comment.text}\n{p.message}", "通办")
    if "错误报告" in book.sheetnames:
        del book["错误报告"]
    report = book.create_sheet("错误报告", 0)
    report.append(["工作表", "行", "列", "问题"])
    for p in problems:
        report.append([p.sheet, p.row or "", p.column, p.message])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
