"""Sample and blank forms (示范文本 / 空白表格) of the catalogue's form materials (A2).

Every material whose source is `form` has two small Excel files, committed in
`catalog/form_files/`: the blank form an applicant may print and fill in, and a sample filled
with fictional data (marked 样表). `Material.blank_form` and `Material.sample` hold their file
names; `/services/forms/<name>` serves them (`file_urls.py`).

The files are made by this module from the reference data, once, and committed:

    .venv/bin/python manage.py shell -c "from tongban.catalog import sample_forms; sample_forms.write_all()"

`file_names(code, position)` is what the demo loader records, so loader and files agree.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

FORMS_DIR = Path(__file__).resolve().parent / "form_files"
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,80}\.(xlsx)$")
CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
FIXED_TIME = dt.datetime(2026, 1, 1, 1, 0, 0)  # noqa: DTZ001 — OOXML stores UTC without an offset; reproducible
PROMISE = "本人（单位）承诺：所填报内容及所提交材料真实、合法、有效，如有不实，愿承担相应法律责任。"

PERSON_FIELDS = [("申请人姓名", "张三（示例）"), ("公民身份号码", "2102**********001X"), ("联系电话", "139****0000"),
                 ("联系地址", "大连市中山区人民路XX号（示例）")]
ENTERPRISE_FIELDS = [("申请单位名称", "大连示例餐饮有限公司"), ("统一社会信用代码", "91210202MA0XXXXXXX"),
                     ("法定代表人（负责人）", "李四（示例）"), ("联系人及电话", "王五 139****0000"),
                     ("住所（经营场所）", "大连市中山区解放路XX号（示例）")]


def file_names(code: str, position: int) -> tuple[str, str]:
    """(blank form, sample) file names of material `position` (0-based) of item `code`."""
    stem = f"{re.sub(r'[^A-Za-z0-9-]', '', code)}-M{position + 1:02d}"
    return f"{stem}-blank.xlsx", f"{stem}-sample.xlsx"


def path_of(name: str) -> Path | None:
    """The committed file of that name, or None: only plain names (no directories, no dots
    but the extension) inside FORMS_DIR — a traversal attempt is simply not found."""
    if not isinstance(name, str) or not SAFE_NAME.match(name):
        return None
    path = (FORMS_DIR / name).resolve()
    if path.parent != FORMS_DIR or not path.is_file():
        return None
    return path


def workbook(form: str, item_name: str, code: str, audience: str, *, sample: bool) -> bytes:
    """One form as an .xlsx: title, item, applicant fields, the request, promise, signature."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    book = Workbook()
    sheet = book.active
    sheet.title = "样表" if sample else "申请表"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 56
    sheet.append([form + ("（示范文本）" if sample else "")])
    sheet["A1"].font = Font(size=16, bold=True)
    sheet.merge_cells("A1:B1")
    sheet.append([f"事项：{item_name}（事项编码 {code}）"])
    sheet.merge_cells("A2:B2")
    if sample:
        sheet.append(["样表：以下内容均为虚构示例，仅供填写参考"])
        sheet["A3"].font = Font(color="C00000", bold=True)
        sheet.merge_cells("A3:B3")
    fields = ENTERPRISE_FIELDS if audience == "enterprise" else PERSON_FIELDS
    rows: list[tuple[str, str]] = [*fields, ("申请事项", item_name),
                                   ("申请内容及理由", f"申请办理{item_name}，相关材料已按办事指南准备。"),
                                   ("申请人签字（盖章）", "张三" if audience != "enterprise" else "（单位公章）"),
                                   ("日期", "2026年1月5日")]
    for label, example in rows:
        sheet.append([label, example if sample else ""])
        row = sheet.max_row
        for cell in sheet[row]:
            cell.border = box
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.row_dimensions[row].height = 28
    sheet.append([PROMISE])
    sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=2)
    sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True)
    sheet.row_dimensions[sheet.max_row].height = 36
    sheet.print_options.horizontalCentered = True
    book.properties.creator = "通办"
    book.properties.title = form
    book.properties.created = book.properties.modified = FIXED_TIME
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def form_materials(catalog: dict[str, Any]) -> list[tuple[dict[str, Any], int, dict[str, Any]]]:
    """(item, position, material) of every form material of the reference data."""
    return [(item, i, m) for item in catalog["items"] for i, m in enumerate(item["materials"])
            if m["source"] == "form"]


def write_all(catalog: dict[str, Any] | None = None) -> int:
    """Write both files of every form material into FORMS_DIR; returns how many."""
    from tongban.identity.demo import load_catalog

    catalog = catalog or load_catalog()
    FORMS_DIR.mkdir(exist_ok=True)
    count = 0
    for item, position, material in form_materials(catalog):
        form = material.get("form") or material["name"]
        for name, sample in zip(file_names(item["code"], position), (False, True), strict=True):
            (FORMS_DIR / name).write_bytes(workbook(form, item["name"], item["code"], item["audience"], sample=sample))
            count += 1
    return count
