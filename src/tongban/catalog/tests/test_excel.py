"""Excel (A8): export writes what import reads; import validates the whole file first and
writes all of it or nothing, naming sheet, row and column of every problem in Chinese."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from tongban.catalog import excel
from tongban.catalog.models import ItemImplementation, ItemVersion, ServiceItem
from tongban.core.errors import FieldError
from tongban.testing import api_client

pytestmark = pytest.mark.django_db


def exported(*codes):
    return excel.export_workbook(ServiceItem.objects.filter(code__in=codes).select_related("current_version")
                                 .order_by("code"))


def edit(data, sheet, row, column, value):
    book = load_workbook(io.BytesIO(data))
    ws = book[sheet]
    header = [c.value for c in ws[1]]
    ws.cell(row=row, column=header.index(column) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems_of(exc):
    return [(p.sheet, p.row, p.column) for p in exc.value.problems]


def test_export_import_round_trip_is_a_no_op(catalog, cast):
    data = exported("SCJG-XK-001", "SCJG-XK-008", "XF-XK-001")
    versions = ItemVersion.objects.count()
    counts = excel.import_workbook(cast.admin, data)
    assert counts == {"items_created": 0, "items_updated": 0, "implementations_created": 0,
                      "implementations_updated": 0}
    assert ItemVersion.objects.count() == versions


def test_whole_catalogue_round_trip_is_a_no_op(catalog, cast):
    data = excel.export_workbook()
    assert not any(excel.import_workbook(cast.admin, data).values())


def test_a_changed_item_becomes_a_new_version(catalog, cast):
    data = edit(exported("SCJG-XK-008"), "事项", 2, "收费标准", "工本费10元")
    data = edit(data, "实施清单", 2, "办理时间", "全天")
    counts = excel.import_workbook(cast.admin, data)
    assert counts["items_updated"] == 1 and counts["implementations_updated"] == 1
    item = ServiceItem.objects.get(code="SCJG-XK-008")
    assert item.version == 2 and item.current_version.elements["fee_standard"] == "工本费10元"


def test_promised_over_legal_names_sheet_row_and_column(catalog, cast):
    data = edit(exported("SCJG-XK-008"), "实施清单", 3, "承诺办结时限", 99)
    with pytest.raises(excel.ImportFailed) as exc:
        excel.import_workbook(cast.admin, data)
    assert problems_of(exc) == [("实施清单", 3, "承诺办结时限")]
    assert "工作表“实施清单”第3行“承诺办结时限”列" in exc.value.problems[0].as_detail()["message"]


def test_nothing_is_written_when_any_row_is_wrong(catalog, cast):
    data = edit(exported("SCJG-XK-001", "SCJG-XK-008"), "事项", 2, "收费标准", "改了")
    data = edit(data, "材料", 3, "来源", "licence:ZZ-NOPE")
    versions = ItemVersion.objects.count()
    with pytest.raises(excel.ImportFailed) as exc:
        excel.import_workbook(cast.admin, data)
    assert problems_of(exc) == [("材料", 3, "来源")]
    assert ItemVersion.objects.count() == versions


def test_missing_and_renamed_columns(catalog, cast):
    data = edit(exported("SCJG-XK-008"), "材料", 1, "份数", "数量")
    with pytest.raises(excel.ImportFailed) as exc:
        excel.import_workbook(cast.admin, data)
    messages = {(p.column, p.message) for p in exc.value.problems}
    assert ("份数", "缺少列（请勿删除或改名）") in messages
    assert ("数量", "未知列（请勿新增或改名）") in messages


def test_standard_element_on_an_implementation_is_refused(catalog, cast):
    data = exported("SCJG-XK-008")
    book = load_workbook(io.BytesIO(data))
    ws = book["实施清单"]
    ws.cell(row=1, column=ws.max_column + 1, value="法定办结时限")
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(excel.ImportFailed) as exc:
        excel.import_workbook(cast.admin, out.getvalue())
    assert exc.value.problems[0].column == "法定办结时限"
    assert "标准要素" in exc.value.problems[0].message


def test_duplicate_codes_unknown_department_region_and_licence(catalog, cast):
    data = exported("SCJG-XK-008")
    book = load_workbook(io.BytesIO(data))
    items = book["事项"]
    items.append([c.value for c in items[2]])  # the same code twice
    impls = book["实施清单"]
    row = [c.value for c in impls[2]]
    row[1], row[2] = "999999", "nowhere"
    impls.append(row)
    out = io.BytesIO()
    book.save(out)
    data = edit(out.getvalue(), "事项", 2, "办理结果（证照）", "ZZ-NOPE")
    with pytest.raises(excel.ImportFailed) as exc:
        excel.import_workbook(cast.admin, data)
    found = {(p.sheet, p.column) for p in exc.value.problems}
    assert {("事项", "事项编码"), ("实施清单", "实施区划"), ("实施清单", "实施部门"),
            ("事项", "办理结果（证照）")} <= found


def test_corrupt_and_oversized_files(catalog, cast):
    with pytest.raises(FieldError) as exc:
        excel.import_workbook(cast.admin, b"PK\x03\x04 not really a zip")
    assert exc.value.errors[0][0] == "file"
    with pytest.raises(FieldError):
        excel.import_workbook(cast.admin, b"0" * (excel.MAX_BYTES + 1))


def test_missing_sheet(catalog, cast):
    book = Workbook()
    book.active.title = "事项"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(excel.ImportFailed) as exc:
        excel.import_workbook(cast.admin, out.getvalue())
    assert {"实施清单", "材料", "情形问题"} <= {p.sheet for p in exc.value.problems if p.message == "缺少工作表"}


def test_marked_workbook_has_the_faulty_cell_and_a_report(catalog, cast):
    data = edit(exported("SCJG-XK-008"), "实施清单", 2, "承诺办结时限", 99)
    with pytest.raises(excel.ImportFailed) as exc:
        excel.import_workbook(cast.admin, data)
    book = load_workbook(io.BytesIO(exc.value.workbook))
    assert book.sheetnames[0] == "错误报告"
    ws = book["实施清单"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("承诺办结时限") + 1)
    assert "超过法定时限" in cell.comment.text


def test_district_officer_cannot_import_another_departments_rows(catalog, cast):
    data = edit(exported("SCJG-XK-008"), "实施清单", 2, "办理时间", "全天")
    with pytest.raises(excel.ImportFailed) as exc:
        excel.import_workbook(cast.district_officer, data)
    assert "范围" in exc.value.problems[0].message
    assert not ItemImplementation.objects.filter(hours="全天").exists()


def test_a_new_item_is_created_as_version_one(catalog, cast):
    data = edit(exported("SCJG-XK-008"), "事项", 2, "事项编码", "SCJG-XK-999")
    data = edit(data, "材料", 2, "事项编码", "SCJG-XK-999")
    book = load_workbook(io.BytesIO(data))
    for title in ("材料", "情形问题", "实施清单"):
        ws = book[title]
        for row in ws.iter_rows(min_row=2):
            row[0].value = "SCJG-XK-999"
    out = io.BytesIO()
    book.save(out)
    counts = excel.import_workbook(cast.admin, out.getvalue())
    assert counts["items_created"] == 1 and counts["implementations_created"] >= 3
    assert ServiceItem.objects.get(code="SCJG-XK-999").version == 1


def test_api_export_and_import(catalog, cast):
    client = api_client(cast.officer_a)
    r = client.get("/api/catalog/export.xlsx", {"department": "market"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = io.BytesIO(edit(r.content, "实施清单", 2, "承诺办结时限", 999))
    upload.name = "catalog.xlsx"
    r = client.post("/api/catalog/import", {"file": upload})
    assert r.status_code == 422
    body = r.json()
    assert body["detail"][0]["field"].startswith("实施清单!")
    assert body["annotated_workbook"]


def test_api_export_needs_an_editor(catalog, cast):
    assert api_client(cast.citizen).get("/api/catalog/export.xlsx").status_code == 403
    assert api_client().get("/api/catalog/export.xlsx").status_code == 401
