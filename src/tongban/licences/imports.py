"""Bulk import of licences from a department's CSV or Excel file (issue 6, item 1).

Reading and judging only — the write is `actions.import_licences`. Every row is validated
first (type code, number, holder ID number R1 / USCC R2, dates, status); a number the
department already issued for the type is compared with the row: identical → `unchanged`
(re-importing a file changes nothing), different → a conflict of that row (409). Row numbers
are the spreadsheet's: the header is row 1, the first licence row 2."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from tongban.catalog.constants import HolderType
from tongban.catalog.models import LicenceType
from tongban.core.identifiers import IdentifierError, validate_id_number, validate_uscc
from tongban.identity.models import Department

from .constants import HolderKind, Status
from .models import Licence

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

# column key → accepted header spellings (English keys or the Chinese labels of the template)
COLUMNS = {
    "type": ("type", "证照类型", "证照类型编码"),
    "number": ("number", "证照编号"),
    "holder_id": ("holder_id", "持证主体标识", "证件号码", "统一社会信用代码或身份号码"),
    "holder_name": ("holder_name", "持证主体名称", "持证人"),
    "issued_on": ("issued_on", "发证日期"),
    "valid_from": ("valid_from", "有效期起"),
    "valid_until": ("valid_until", "有效期止"),
    "status": ("status", "状态"),
}
REQUIRED = ("type", "number", "holder_id", "holder_name", "issued_on")
STATUS_WORDS = {**{s.value: s.value for s in Status}, **{s.label: s.value for s in Status}, "": Status.VALID,
                "已注销": Status.REVOKED, "已暂扣": Status.SUSPENDED, "已吊销": Status.REVOKED}
COMPARED = ("holder_id", "holder_name", "issued_on", "valid_from", "valid_until", "status")


class ImportFileError(Exception):
    """The file itself cannot be read (not CSV/xlsx, too big, no header)."""


@dataclass
class Row:
    row: int
    licence_type: LicenceType | None = None
    number: str = ""
    holder_kind: str = ""
    holder_id: str = ""
    holder_name: str = ""
    issued_on: dt.date | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    status: str = Status.VALID
    existing: Licence | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)

    def values(self) -> dict[str, Any]:
        return {"holder_id": self.holder_id, "holder_name": self.holder_name, "issued_on": self.issued_on,
                "valid_from": self.valid_from, "valid_until": self.valid_until, "status": self.status}


@dataclass
class Plan:
    department: Department
    rows: list[Row]
    errors: list[dict[str, Any]]  # malformed rows → 422
    conflicts: list[dict[str, Any]]  # a number issued with different data → 409

    @property
    def new(self) -> list[Row]:
        return [r for r in self.rows if r.existing is None]

    @property
    def unchanged(self) -> list[Row]:
        return [r for r in self.rows if r.existing is not None]


def read_table(raw: bytes, filename: str = "") -> list[list[Any]]:
    """The file's rows (header first): .xlsx by its ZIP signature, otherwise UTF-8 CSV."""
    if len(raw) > MAX_BYTES:
        raise ImportFileError(f"文件不能超过 {MAX_BYTES // 1024 // 1024} MB")
    if raw[:4] == b"PK\x03\x04":
        return _read_xlsx(raw)
    if filename.lower().endswith((".xlsx", ".xls")):
        raise ImportFileError("无法读取该 Excel 文件，请使用 .xlsx 格式")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("CSV 文件应为 UTF-8 编码") from None
    if "\x00" in text:
        raise ImportFileError("文件不是 CSV 或 .xlsx 表格")
    return [row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]


def _read_xlsx(raw: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)
                if any(c not in (None, "") for c in r)]
        book.close()
    except Exception:
        raise ImportFileError("无法读取该 Excel 文件，请使用 .xlsx 格式") from None
    return rows


def _header(cells: list[Any]) -> dict[str, int]:
    names = [str(c or "").strip() for c in cells]
    found: dict[str, int] = {}
    for key, spellings in COLUMNS.items():
        for i, name in enumerate(names):
            if name in spellings:
                found[key] = i
                break
    missing = [COLUMNS[k][1] + f"（{k}）" for k in REQUIRED if k not in found]
    if missing:
        raise ImportFileError("表头缺少列：" + "、".join(missing))
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\x00", "").strip()


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("日期格式应为 YYYY-MM-DD") from None


def _holder(row: Row, kind_hint: str, value: str) -> None:
    value = value.upper()
    kinds = [HolderKind.PERSON, HolderKind.ENTERPRISE] if kind_hint == HolderType.BOTH else [kind_hint]
    last = ""
    for kind in kinds:
        try:
            row.holder_id = validate_id_number(value) if kind == HolderKind.PERSON else validate_uscc(value)
            row.holder_kind = kind
            return
        except IdentifierError as exc:
            last = exc.message
    row.errors.append(("holder_id", last or "持证主体标识无效"))


def _parse(number: int, cells: list[Any], header: dict[str, int], types: dict[str, LicenceType]) -> Row:
    def cell(key: str) -> Any:
        i = header.get(key)
        return cells[i] if i is not None and i < len(cells) else None

    row = Row(row=number)
    code = _text(cell("type")).upper()
    row.licence_type = types.get(code)
    if not code:
        row.errors.append(("type", "请填写证照类型编码"))
    elif row.licence_type is None:
        row.errors.append(("type", f"未知的证照类型编码：{code[:30]}"))
    row.number = _text(cell("number"))
    if not row.number:
        row.errors.append(("number", "请填写证照编号"))
    elif len(row.number) > 60 or any(ch.isspace() for ch in row.number):
        row.errors.append(("number", "证照编号不能超过60个字符且不能含空白"))
    holder = _text(cell("holder_id"))
    if not holder:
        row.errors.append(("holder_id", "请填写持证主体的公民身份号码或统一社会信用代码"))
    elif row.licence_type is not None:
        _holder(row, row.licence_type.holder_type, holder)
    row.holder_name = _text(cell("holder_name"))
    if not row.holder_name:
        row.errors.append(("holder_name", "请填写持证主体名称"))
    elif len(row.holder_name) > 200:
        row.errors.append(("holder_name", "持证主体名称不能超过200字"))
    for key in ("issued_on", "valid_from", "valid_until"):
        value = cell(key)
        if _text(value) == "":
            if key == "issued_on":
                row.errors.append((key, "请填写发证日期"))
            continue
        try:
            setattr(row, key, _date(value))
        except ValueError as exc:
            row.errors.append((key, str(exc)))
    row.valid_from = row.valid_from or row.issued_on
    if row.valid_until and row.valid_from and row.valid_until < row.valid_from:
        row.errors.append(("valid_until", "有效期止不能早于有效期起"))
    status = _text(cell("status"))
    if status.lower() in STATUS_WORDS:
        status = status.lower()
    if status not in STATUS_WORDS:
        row.errors.append(("status", "状态应为 valid、expired、revoked 或 suspended"))
    else:
        row.status = STATUS_WORDS[status]
    return row


def plan(department: Department, table: list[list[Any]]) -> Plan:
    """Judge every row; nothing is written here."""
    if not table:
        raise ImportFileError("文件为空：第1行应为表头")
    header = _header(table[0])
    body = table[1:]
    if not body:
        raise ImportFileError("文件中没有证照数据行")
    if len(body) > MAX_ROWS:
        raise ImportFileError(f"一次最多导入 {MAX_ROWS} 行")
    types = {t.code: t for t in LicenceType.objects.all()}
    rows = [_parse(i + 2, cells, header, types) for i, cells in enumerate(body)]
    seen: dict[tuple[str, str], int] = {}
    for r in rows:
        if r.licence_type is None or not r.number:
            continue
        key = (r.licence_type.code, r.number)
        if key in seen:
            r.errors.append(("number", f"与第 {seen[key]} 行的证照编号重复"))
        seen.setdefault(key, r.row)
    existing = {(lic.licence_type_id, lic.number): lic
                for lic in Licence.objects.filter(issuer=department, number__in=[n for _, n in seen])}
    conflicts = []
    for r in rows:
        lic = existing.get((r.licence_type.code, r.number)) if r.licence_type else None
        if lic is None or r.errors:
            continue
        stored = {"holder_id": lic.holder_id, "holder_name": lic.holder_name, "issued_on": lic.issued_on,
                  "valid_from": lic.valid_from, "valid_until": lic.valid_until, "status": lic.status}
        differ = [k for k in COMPARED if stored[k] != r.values()[k]]
        if differ:
            conflicts.append({"row": r.row, "field": "number",
                              "message": f"本部门已签发编号 {r.number} 的{r.licence_type.name}，"
                                         f"与本行不一致（{'、'.join(differ)}）"})
        else:
            r.existing = lic
    errors = [{"row": r.row, "field": f, "message": m} for r in rows for f, m in r.errors]
    return Plan(department, rows, errors, conflicts)
