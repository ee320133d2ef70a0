"""Conditions as rules (issue 4 item 1): the fact vocabulary, validation on publish and import,
the pure `evaluate`, and the rules on the guide, in Excel and in the demo data."""

import io
import math

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.catalog import actions, conditions, excel
from tongban.catalog.conditions import FACTS, OPERATORS, OPS_BY_TYPE, evaluate
from tongban.catalog.models import ServiceItem
from tongban.catalog.tests.factories import make_item, standard
from tongban.core.errors import FieldError
from tongban.testing import api_client

LICENCES = {"ZZ-YYZZ": "营业执照", "ZZ-SFZ": "居民身份证"}


def fields(exc: FieldError) -> dict[str, str]:
    return dict(exc.errors)


# --- validation ----------------------------------------------------------------------------------

def test_valid_rules_are_kept_in_canonical_shape_with_default_messages():
    rules = conditions.clean_rules([
        {"fact": "applicant.age", "op": "gte", "value": 18},
        {"fact": "holds:ZZ-YYZZ", "op": "is_true", "message": " 须已取得营业执照 "},
        {"fact": "enterprise.status", "op": "in", "value": ["存续", "在业"]},
        {"fact": "premises.area_m2", "op": "gt", "value": 12.5},
        {"fact": "region", "op": "eq", "value": "210202"},
    ], LICENCES)
    assert rules[0] == {"fact": "applicant.age", "op": "gte", "value": 18, "message": "申请人年龄须不小于18周岁"}
    assert rules[1]["message"] == "须已取得营业执照" and rules[1]["value"] is None
    assert rules[2]["message"] == "企业登记状态须为以下之一：存续、在业"
    assert len(rules) == 5


@pytest.mark.parametrize(("rule", "field", "reason"), [
    ({"fact": "applicant.height", "op": "gte", "value": 1}, "condition_rules[0].fact", "未知事实“applicant.height”"),
    ({"fact": "holds:ZZ-NOPE", "op": "is_true"}, "condition_rules[0].fact", "未知证照类型“ZZ-NOPE”"),
    ({"fact": "applicant.age", "op": "approx", "value": 18}, "condition_rules[0].op", "未知运算“approx”"),
    ({"fact": "applicant.age", "op": "is_true"}, "condition_rules[0].op", "不能用运算“is_true”"),
    ({"fact": "enterprise.status", "op": "gt", "value": "存续"}, "condition_rules[0].op", "不能用运算“gt”"),
    ({"fact": "applicant.age", "op": "gte", "value": "十八"}, "condition_rules[0].value", "应为整数"),
    ({"fact": "applicant.age", "op": "gte", "value": True}, "condition_rules[0].value", "应为整数"),
    ({"fact": "premises.area_m2", "op": "gt", "value": float("nan")}, "condition_rules[0].value", "应为数值"),
    ({"fact": "enterprise.status", "op": "eq", "value": "活着"}, "condition_rules[0].value", "存续、在业"),
    ({"fact": "enterprise.status", "op": "in", "value": []}, "condition_rules[0].value", "非空列表"),
    ({"fact": "enterprise.status", "op": "in", "value": "存续"}, "condition_rules[0].value", "非空列表"),
    ({"fact": "region", "op": "eq", "value": "2102"}, "condition_rules[0].value", "行政区划代码"),
    ({"fact": "holds:ZZ-YYZZ", "op": "is_true", "value": 1}, "condition_rules[0].value", "不需要取值"),
    ({"fact": "applicant.age", "op": "gte", "value": 18, "why": "x"}, "condition_rules[0].why", "不是规则的字段"),
    ({"fact": "applicant.age", "op": "gte", "value": 18, "message": 7}, "condition_rules[0].message", "应为文本"),
    ("年满18", "condition_rules[0]", "应为对象"),
])
def test_bad_rule_is_a_field_error_naming_index_and_field(rule, field, reason):
    with pytest.raises(FieldError) as caught:
        conditions.clean_rules([{"fact": "applicant.age", "op": "gte", "value": 18}, rule][1:], LICENCES)
    assert field in fields(caught.value), caught.value.errors
    assert reason in fields(caught.value)[field]
    assert fields(caught.value)[field].startswith("第1条规则：")


def test_every_problem_is_reported_at_once_with_its_index():
    with pytest.raises(FieldError) as caught:
        conditions.clean_rules([{"fact": "applicant.age", "op": "gte", "value": 18},
                                {"fact": "nope", "op": "eq", "value": 1},
                                {"fact": "applicant.age", "op": "gte", "value": "x"}], LICENCES)
    assert set(fields(caught.value)) == {"condition_rules[1].fact", "condition_rules[2].value"}


def test_rules_must_be_a_list():
    with pytest.raises(FieldError) as caught:
        conditions.clean_rules({"fact": "applicant.age"})
    assert "condition_rules" in fields(caught.value)
    assert conditions.clean_rules(None) == [] and conditions.clean_rules([]) == []


# --- evaluation ----------------------------------------------------------------------------------

RESTAURANT = conditions.clean_rules([
    {"fact": "holds:ZZ-YYZZ", "op": "is_true", "message": "须已取得营业执照"},
    {"fact": "enterprise.status", "op": "in", "value": ["存续", "在业"]},
    {"fact": "applicant.age", "op": "gte", "value": 18},
    {"fact": "premises.area_m2", "op": "lte", "value": 300},
    {"fact": "region", "op": "in", "value": ["210202"]},
], LICENCES)


def statuses(facts):
    return [r["status"] for r in evaluate(RESTAURANT, facts)]


def test_all_met():
    assert statuses({"holds:ZZ-YYZZ": True, "enterprise.status": "存续", "applicant.age": 18,
                     "premises.area_m2": 120.5, "region": "210202001"}) == ["met"] * 5


def test_failed_rules_say_why():
    results = evaluate(RESTAURANT, {"holds:ZZ-YYZZ": False, "enterprise.status": "吊销", "applicant.age": 17,
                                    "premises.area_m2": 301, "region": "210203"}, licence_types=LICENCES)
    assert [r["status"] for r in results] == ["failed"] * 5
    assert results[0] == {"rule": 0, "status": "failed", "message": "须已取得营业执照", "fact": "holds:ZZ-YYZZ",
                          "label": "持有有效的《营业执照》"}
    assert results[2]["message"] == "申请人年龄须不小于18周岁" and results[2]["label"] == "申请人年龄"


def test_absent_facts_are_unknown_never_guessed():
    assert statuses({}) == ["unknown"] * 5
    assert statuses({"applicant.age": 30}) == ["unknown", "unknown", "met", "unknown", "unknown"]
    assert statuses({"applicant.age": None, "enterprise.status": "不知道"})[1:3] == ["unknown", "unknown"]


@pytest.mark.parametrize(("op", "value", "fact_value", "expected"), [
    ("eq", 18, 18, "met"), ("ne", 18, 18, "failed"), ("gt", 18, 18, "failed"), ("gte", 18, 18.0, "met"),
    ("lt", 18, 17, "met"), ("lte", 18, 19, "failed"), ("in", [16, 18], 18, "met"), ("not_in", [16, 18], 18, "failed"),
])
def test_each_operator(op, value, fact_value, expected):
    rules = conditions.clean_rules([{"fact": "applicant.age", "op": op, "value": value}])
    assert evaluate(rules, {"applicant.age": fact_value})[0]["status"] == expected


def test_boolean_operators():
    rules = conditions.clean_rules([{"fact": "enterprise.blacklisted", "op": "is_false"},
                                    {"fact": "enterprise.blacklisted", "op": "is_true"},
                                    {"fact": "enterprise.blacklisted", "op": "eq", "value": False}])
    assert [r["status"] for r in evaluate(rules, {"enterprise.blacklisted": False})] == ["met", "failed", "met"]
    assert [r["status"] for r in evaluate(rules, {"enterprise.blacklisted": 0})] == ["unknown"] * 3


def test_region_in_means_within():
    rules = conditions.clean_rules([{"fact": "region", "op": "not_in", "value": ["210202", "210203"]}])
    assert evaluate(rules, {"region": "210202003"})[0]["status"] == "failed"
    assert evaluate(rules, {"region": "210204"})[0]["status"] == "met"


def test_malformed_stored_rules_are_unknown_not_errors():
    assert [r["status"] for r in evaluate([None, {"fact": "x"}, {"fact": "applicant.age", "op": "gte"}, 7],
                                          {"applicant.age": 3})] == ["unknown"] * 4
    assert evaluate("not rules", {}) == [] and evaluate(RESTAURANT, "not facts")[0]["status"] == "unknown"


# --- Hypothesis: evaluate is total, and unknown ↔ the fact is absent ------------------------------

def _value_for(fact):
    if fact.type == conditions.BOOLEAN:
        return st.booleans()
    if fact.type == conditions.INTEGER:
        return st.integers(-10**6, 10**6)
    if fact.type == conditions.NUMBER:
        return st.floats(allow_nan=False, allow_infinity=False, width=32) | st.integers(-10**6, 10**6)
    if fact.type == conditions.CHOICE:
        return st.sampled_from(fact.choices)
    return st.from_regex(r"\A21\d{4}(\d{3})?\Z")


ALL_FACTS = [*FACTS.values(), conditions.fact_of("holds:ZZ-YYZZ")]


@st.composite
def valid_rule(draw):
    fact = draw(st.sampled_from(ALL_FACTS))
    op = draw(st.sampled_from(OPS_BY_TYPE[fact.type]))
    if op in conditions.NO_VALUE_OPS:
        value = None
    elif op in conditions.LIST_OPS:
        value = draw(st.lists(_value_for(fact), min_size=1, max_size=4))
    else:
        value = draw(_value_for(fact))
    return {"fact": fact.key, "op": op, "value": value}


@st.composite
def valid_facts(draw):
    """Some facts of the vocabulary with values of their types; the rest absent."""
    chosen = draw(st.lists(st.sampled_from(ALL_FACTS), unique_by=lambda f: f.key))
    return {f.key: draw(_value_for(f)) for f in chosen}


JUNK = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                    max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(rules=st.lists(valid_rule(), max_size=8), facts=valid_facts())
def test_evaluate_unknown_iff_fact_absent(rules, facts):
    rules = conditions.clean_rules(rules, LICENCES)  # what publishing stores
    results = evaluate(rules, facts)
    assert len(results) == len(rules)
    for rule, result in zip(rules, results, strict=True):
        assert result["rule"] == rules.index(rule) or rules[result["rule"]] == rule
        assert result["status"] in ("met", "failed", "unknown")
        assert (result["status"] == "unknown") == (rule["fact"] not in facts)
        assert result["fact"] == rule["fact"] and result["label"] and result["message"]


@settings(max_examples=300, deadline=None)
@given(rules=st.lists(valid_rule() | JUNK, max_size=6),
       facts=st.dictionaries(st.sampled_from([f.key for f in ALL_FACTS]) | st.text(max_size=8), JUNK, max_size=8)
       | JUNK)
def test_evaluate_never_raises_on_any_facts(rules, facts):
    results = evaluate(rules, facts)
    assert len(results) == len(rules)
    for rule, result in zip(rules, results, strict=True):
        assert result["status"] in ("met", "failed", "unknown")
        if result["status"] != "unknown":  # decided only on a fact given with a value of its type
            assert conditions.is_known(rule["fact"], facts)


@given(st.integers(0, 200))
def test_age_rule_agrees_with_arithmetic(age):
    rules = conditions.clean_rules([{"fact": "applicant.age", "op": "gte", "value": 18}])
    assert (evaluate(rules, {"applicant.age": age})[0]["status"] == "met") == (age >= 18)


def test_vocabulary_has_labels_and_types():
    for entry in conditions.vocabulary():
        assert entry["label"] and entry["type"] in conditions.TYPE_NAMES and entry["ops"]
        assert set(entry["ops"]) <= set(OPERATORS)
    assert not math.isnan(0.0)


# --- publish, guide, Excel, demo -----------------------------------------------------------------

@pytest.mark.django_db
def test_publish_refuses_bad_rules_naming_index_and_field(catalog, editor):
    item = ServiceItem.objects.get(code="SCJG-XK-008")
    with pytest.raises(FieldError) as caught:
        actions.publish_item(editor, item, changes={"condition_rules": [
            {"fact": "applicant.age", "op": "gte", "value": 18}, {"fact": "holds:ZZ-NOPE", "op": "is_true"}]},
            effective_date=timezone.localdate(), summary="规则", base_version=item.version)
    assert "condition_rules[1].fact" in fields(caught.value)


@pytest.mark.django_db
def test_publish_rules_then_guide_and_api_show_them(catalog, editor):
    item = make_item(editor, "TEST-RULES-1")
    version = actions.publish_item(editor, item, changes={"condition_rules": [
        {"fact": "applicant.age", "op": "gte", "value": 16}, {"fact": "holds:ZZ-SFZ", "op": "is_true"}]},
        effective_date=timezone.localdate(), summary="增加受理条件规则", base_version=item.version)
    assert version.changed == ["condition_rules"]
    body = api_client().get("/api/catalog/items/TEST-RULES-1", {"region": "210200"}).json()
    assert [r["fact"] for r in body["condition_rules"]] == ["applicant.age", "holds:ZZ-SFZ"]
    assert body["condition_rules"][1]["label"] == "持有有效的《居民身份证》"
    assert body["condition_rules"][0]["message"] == "申请人年龄须不小于16周岁"


@pytest.mark.django_db
def test_publishing_another_element_does_not_touch_old_rules(catalog, editor):
    item = make_item(editor, "TEST-RULES-2")  # version 1 has no rules
    version = actions.publish_item(editor, item, changes={"keywords": ["规则测试"]},
                                   effective_date=timezone.localdate(), summary="关键词", base_version=item.version)
    assert version.changed == ["keywords"]


@pytest.mark.django_db
def test_demo_items_carry_rules(catalog):
    body = api_client().get("/api/catalog/items/SCJG-XK-008").json()
    facts = [r["fact"] for r in body["condition_rules"]]
    assert "holds:ZZ-YYZZ" in facts and "enterprise.status" in facts
    bundle = ["SCJG-XK-001", "SCJG-XK-008", "XF-XK-001", "CG-XK-005", "CG-XK-001", "SWJ-GG-001", "RS-GG-005"]
    citizen = ["GA-XK-001", "GA-QR-001", "GA-QR-004", "GA-XK-003", "MZ-QR-001", "RS-QR-001"]
    for code in bundle + citizen:
        assert ServiceItem.objects.get(code=code).current_version.elements["condition_rules"], code
    age = ServiceItem.objects.get(code="SCJG-XK-001").current_version.elements["condition_rules"][0]
    assert evaluate([age], {"applicant.age": 17})[0]["status"] == "failed"


@pytest.mark.django_db
def test_excel_round_trip_keeps_rules_and_changes_nothing(catalog, editor):
    items = ServiceItem.objects.filter(code__in=["SCJG-XK-008", "MZ-QR-001"]).select_related("current_version")
    before = {i.code: i.version for i in items}
    data = excel.export_workbook(items)
    excel.import_workbook(editor, data)
    after = dict(ServiceItem.objects.filter(code__in=before).values_list("code", "version"))
    assert after == before


@pytest.mark.django_db
def test_excel_import_names_the_bad_rule_cell(catalog, editor):
    from openpyxl import load_workbook

    items = ServiceItem.objects.filter(code="SCJG-XK-008").select_related("current_version")
    book = load_workbook(io.BytesIO(excel.export_workbook(items)))
    sheet = book[excel.ITEMS]
    column = [c.value for c in sheet[1]].index("受理条件（规则）") + 1
    sheet.cell(row=2, column=column, value='[{"fact": "applicant.age", "op": "gte", "value": "十八"}]')
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(excel.ImportFailed) as caught:
        excel.import_workbook(editor, out.getvalue())
    problem = caught.value.problems[0]
    assert (problem.sheet, problem.row, problem.column) == ("事项", 2, "受理条件（规则）")
    assert "第1条规则" in problem.message and "应为整数" in problem.message


def test_factory_standard_still_valid_without_rules():
    assert "condition_rules" not in standard()
