"""R21: the privacy detector, measured on the labelled snippets committed with disclosure, and
its hard negatives and redaction markers."""

import json
from pathlib import Path

import pytest

from tongban.core import privacy
from tongban.core.identifiers import id_check_character

SNIPPETS = Path(__file__).resolve().parents[2] / "disclosure" / "data" / "pii_snippets.json"


def _valid_id(first17: str = "21020319800101123") -> str:
    return first17 + id_check_character(first17)


def test_R21_labelled_set_recall_and_precision():
    rows = json.loads(SNIPPETS.read_text(encoding="utf-8"))
    assert len(rows) >= 200 and sum(not r["pii"] for r in rows) >= 90
    tp = fp = fn = 0
    by_kind: dict[str, list[bool]] = {}
    for row in rows:
        findings = privacy.scan(row["text"])
        found = bool(findings)
        tp += found and row["pii"]
        fp += found and not row["pii"]
        fn += (not found) and row["pii"]
        kinds = {f.kind for f in findings}
        for kind in row["kinds"]:
            by_kind.setdefault(kind, []).append(kind in kinds or found)
    recall, precision = tp / (tp + fn), tp / (tp + fp)
    assert recall >= 0.95, recall
    assert precision >= 0.90, precision
    for kind in ("id_number", "phone", "bank_card"):  # the floor per number kind
        hits = by_kind[kind]
        assert sum(hits) / len(hits) >= 0.95, kind


@pytest.mark.parametrize(
    "text",
    [
        "（大政发〔2019〕12号）",
        "2024年3月1日起施行",
        "总投资1.2亿元，12345678.90元",
        "统一社会信用代码91210204MA1B2C3D8C",
        "咨询电话：12345，或拨打0411-12345",
        "报警110",
        "项目编号210200202600012345",
        "市长张建国出席会议并讲话",
        "身份证号2102**********1234",
        "联系电话139****5678",
        "当事人王某，男",
    ],
)
def test_R21_hard_negatives_pass(text):
    assert privacy.scan(text) == []


def test_R1_checksum_and_birth_date_decide_an_id_number():
    good = _valid_id()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    assert [f.kind for f in privacy.scan(f"身份证号{good}")] == ["id_number"]
    assert privacy.scan(f"身份证号{wrong}") == []
    impossible = "21020319801301123"  # month 13
    assert privacy.scan(f"编号{impossible + id_check_character(impossible)}") == []


def test_phone_formats_and_landline_context():
    for phone in ("13912345678", "139 1234 5678", "139-1234-5678", "+86 13912345678"):
        assert [f.kind for f in privacy.scan(f"联系人手机{phone}。")] == ["phone"], phone
    assert privacy.scan("办公电话：0411-84632115") == []
    assert [f.kind for f in privacy.scan("当事人家庭电话0411-84632115")] == ["phone"]


def test_bank_card_needs_luhn():
    assert [f.kind for f in privacy.scan("银行卡6222021234567890128")] == ["bank_card"]
    assert privacy.scan("银行卡6222021234567890125") == []


def test_address_and_name_in_sensitive_context():
    kinds = {f.kind for f in privacy.scan("最低生活保障对象张建国，家住西岗区八一路12号3单元502室。")}
    assert kinds == {"name_sensitive", "address"}
    assert privacy.scan("大连某某有限公司，住所：大连市高新区黄浦路537号3单元1001室。") == []


def test_redaction_marks_kind_and_legal_ground():
    text = f"当事人身份证号{_valid_id()}，手机13912345678。"
    out = privacy.redact(text, privacy.scan(text))
    assert "13912345678" not in out and _valid_id() not in out
    assert out.count("《中华人民共和国政府信息公开条例》第十五条") == 2
    assert "已隐去公民身份号码" in out and "已隐去个人电话号码" in out
