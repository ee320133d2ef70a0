"""Bulk import (issue 6 item 1): all rows judged first, a row report, nothing half-written; a
number issued with other data is a 409 row; re-importing changes nothing; Idempotency-Key."""

import io

import pytest
from django.core.management import CommandError, call_command

from tongban.identity.demo import make_id_number, make_uscc
from tongban.licences.models import Licence, LicenceVersion
from tongban.testing import api_client

HEADER = "type,number,holder_id,holder_name,issued_on,valid_from,valid_until,status\n"


def _csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def _good(cast) -> bytes:
    return _csv(f"ZZ-YYZZ,YY2026001,{cast.enterprise.uscc},大连海韵餐饮有限公司,2026-01-05,2026-01-05,,valid",
                f"ZZ-YYZZ,YY2026002,{make_uscc('210203', 'MA0TB0077')},大连星海商贸有限公司,2025-03-01,,,valid")


def _upload(user, raw: bytes, name="licences.csv", **headers):
    return api_client(user).post("/api/licences/import", data={"file": _named(raw, name)}, **headers)


def _named(raw: bytes, name: str):
    f = io.BytesIO(raw)
    f.name = name
    return f


def test_import_creates_sealed_licences_and_reimport_changes_nothing(cast, catalog):
    r = _upload(cast.officer_a, _good(cast))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["created"] == 2 and body["unchanged"] == 0 and body["department"] == "market"
    lic = Licence.objects.get(number="YY2026001")
    assert lic.issuer_id == "market" and lic.holder_enterprise_id == cast.enterprise.uscc
    version = LicenceVersion.objects.get(licence=lic)
    assert version.kind == "import" and version.signature  # sealed like an issued licence
    again = _upload(cast.officer_a, _good(cast))
    assert again.status_code == 200 and again.json()["created"] == 0 and again.json()["unchanged"] == 2
    assert {x["result"] for x in again.json()["rows"]} == {"unchanged"}
    assert Licence.objects.filter(issuer="market").count() == 2 and LicenceVersion.objects.count() == 2


def test_malformed_rows_give_a_row_report_and_nothing_is_written(cast, catalog):
    raw = _csv(f"ZZ-YYZZ,YY1,{cast.enterprise.uscc},海韵,2026-01-05,,,valid",
               "ZZ-NOPE,YY2,91210200MA0TB00180,某公司,2026-01-05,,,valid",
               f"ZZ-YYZZ,YY3,{cast.enterprise.uscc[:-1]}X,海韵,2026-13-05,,,bogus",
               f"ZZ-YYZZ,YY1,{cast.enterprise.uscc},海韵,2026-01-05,2026-02-01,2026-01-01,valid")
    r = _upload(cast.officer_a, raw)
    assert r.status_code == 422
    report = {(p["row"], p["field"]) for p in r.json()["detail"]}
    assert {(3, "type"), (4, "holder_id"), (4, "issued_on"), (4, "status"), (5, "number"),
            (5, "valid_until")} <= report
    assert all(isinstance(p["message"], str) and p["message"] for p in r.json()["detail"])
    assert (2, "type") not in report and not Licence.objects.exists()


def test_R1_person_licence_rows_check_the_id_number(cast, catalog):
    good = make_id_number("210202", "19800101", 7)
    raw = _csv(f"ZZ-HKB,HK1,{good},张三,2026-01-05,,,valid", "ZZ-HKB,HK2,210202198001011234,李四,2026-01-05,,,valid")
    r = _upload(cast.officer_b, raw)
    assert r.status_code == 422 and [(p["row"], p["field"]) for p in r.json()["detail"]] == [(3, "holder_id")]


def test_number_issued_with_different_data_is_a_409_row(cast, catalog):
    assert _upload(cast.officer_a, _good(cast)).status_code == 201
    raw = _csv(f"ZZ-YYZZ,YY2026001,{cast.enterprise.uscc},另一个名称有限公司,2026-01-05,2026-01-05,,valid",
               f"ZZ-YYZZ,YY2026003,{cast.enterprise.uscc},大连海韵餐饮有限公司,2026-02-01,,,valid")
    r = _upload(cast.officer_a, raw)
    assert r.status_code == 409
    assert [(p["row"], p["field"]) for p in r.json()["detail"]] == [(2, "number")]
    assert "holder_name" in r.json()["detail"][0]["message"]
    assert not Licence.objects.filter(number="YY2026003").exists()  # all or nothing


def test_idempotency_key_replays_the_first_answer(cast, catalog):
    first = _upload(cast.officer_a, _good(cast), HTTP_IDEMPOTENCY_KEY="imp-1")
    again = _upload(cast.officer_a, _good(cast), HTTP_IDEMPOTENCY_KEY="imp-1")
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and Licence.objects.count() == 2


def test_xlsx_import_and_who_may_import(cast, catalog):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["证照类型", "证照编号", "持证主体标识", "持证主体名称", "发证日期"])
    import datetime as dt

    sheet.append(["ZZ-YYZZ", "XL-1", cast.enterprise.uscc, "大连海韵餐饮有限公司", dt.date(2026, 1, 5)])
    buf = io.BytesIO()
    book.save(buf)
    assert _upload(cast.citizen, buf.getvalue(), "a.xlsx").status_code == 403
    assert _upload(cast.supervisor, buf.getvalue(), "a.xlsx").status_code == 403
    r = _upload(cast.head, buf.getvalue(), "a.xlsx")
    assert r.status_code == 201 and Licence.objects.get(number="XL-1").issued_on == dt.date(2026, 1, 5)
    assert _upload(cast.head, b"\x00\x01garbage", "a.csv").status_code == 422
    # an administrator names the department; an officer may not import for another one
    no_dept = _upload(cast.admin, _good(cast))
    assert no_dept.status_code == 422 and no_dept.json()["detail"][0]["field"] == "department"
    other = api_client(cast.officer_a).post("/api/licences/import", data={"file": _named(_good(cast), "a.csv"),
                                                                          "department": "police"})
    assert other.status_code == 422 and not Licence.objects.filter(number="YY2026001").exists()
    ok = api_client(cast.admin).post("/api/licences/import", data={"file": _named(_good(cast), "a.csv"),
                                                                   "department": "market"})
    assert ok.status_code == 201 and ok.json()["created"] == 2


def test_command_imports_all_or_nothing(cast, catalog, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv(f"ZZ-YYZZ,C1,{cast.enterprise.uscc},海韵,2026-01-05,,,valid", "ZZ-YYZZ,C2,x,y,2026-01-05,,,"))
    with pytest.raises(CommandError):
        call_command("licences", "import", str(bad), "--department", "market")
    assert not Licence.objects.exists()
    good = tmp_path / "good.csv"
    good.write_bytes(_good(cast))
    out = io.StringIO()
    call_command("licences", "import", str(good), "--department", "market", stdout=out)
    assert "新导入 2" in out.getvalue() and Licence.objects.count() == 2
