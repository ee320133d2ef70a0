"""Conditions as rules (受理条件的规则化表达): what the cases issue's eligibility pre-check evaluates.

Each item version keeps, beside its condition text, `condition_rules`: a list of
`{"fact", "op", "value", "message"}` stored as a standard element in `ItemVersion.elements`.

* `fact` names something known about the applicant or the application, from one vocabulary
  (`FACTS`, each with a Chinese label and a type), or `holds:<licence type code>` — "holds a
  valid licence of that type" (a boolean the `LicenceProvider` answers).
* `op` is one of `OPERATORS`; which ones a fact takes depends on its type.
* `message` is what the applicant reads when the rule is not met (generated when left empty).

`clean_rules()` validates on publish and import (unknown fact or operator, a value of the wrong
type → a `FieldError` naming `condition_rules[i].<field>`). `evaluate()` is pure and total: for
any facts it reports each rule `met`, `failed` or `unknown`. A fact that is absent (or None, or
not a value of its type) is `unknown`: the platform asks for it, it never guesses.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tongban.core.errors import FieldError

INTEGER, NUMBER, BOOLEAN, CHOICE, REGION = "integer", "number", "boolean", "choice", "region"
HOLDS = "holds:"
MAX_RULES = 50
MAX_VALUES = 50
MAX_MESSAGE = 200
REGION_CODE = re.compile(r"^\d{6}(\d{3}){0,2}$")  # R3: city/district 6, street 9, community 12 digits


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    type: str
    unit: str = ""
    choices: tuple[str, ...] = ()


FACTS: dict[str, Fact] = {f.key: f for f in [
    Fact("applicant.kind", "申请人类型", CHOICE, choices=("person", "enterprise")),
    Fact("applicant.age", "申请人年龄", INTEGER, "周岁"),
    Fact("applicant.gender", "申请人性别", CHOICE, choices=("男", "女")),
    Fact("applicant.marital_status", "申请人婚姻状况", CHOICE, choices=("未婚", "已婚", "离异", "丧偶")),
    Fact("applicant.real_name_verified", "申请人已完成实名认证", BOOLEAN),
    Fact("applicant.hukou_region", "申请人户籍所在地", REGION),
    Fact("applicant.insured_years", "基本养老保险累计缴费年限", NUMBER, "年"),
    Fact("applicant.retirement_age_reached", "已达到法定退休年龄", BOOLEAN),
    Fact("partner.age", "另一方年龄", INTEGER, "周岁"),
    Fact("partner.marital_status", "另一方婚姻状况", CHOICE, choices=("未婚", "已婚", "离异", "丧偶")),
    Fact("marriage.groom_age", "男方年龄", INTEGER, "周岁"),
    Fact("marriage.bride_age", "女方年龄", INTEGER, "周岁"),
    Fact("newborn.born_in_city", "新生儿在本市出生", BOOLEAN),
    Fact("newborn.age_days", "新生儿出生天数", INTEGER, "天"),
    Fact("driving_licence.days_to_expiry", "驾驶证距有效期满天数", INTEGER, "天"),
    Fact("enterprise.status", "企业登记状态", CHOICE, choices=("存续", "在业", "吊销", "注销", "迁出", "撤销")),
    Fact("enterprise.type", "企业类型", CHOICE,
         choices=("有限责任公司", "股份有限公司", "个人独资企业", "合伙企业", "个体工商户", "农民专业合作社")),
    Fact("enterprise.registered_capital", "企业注册资本", NUMBER, "万元"),
    Fact("enterprise.established_days", "企业成立天数", INTEGER, "天"),
    Fact("enterprise.blacklisted", "列入严重失信主体名单", BOOLEAN),
    Fact("premises.area_m2", "经营场所面积", NUMBER, "平方米"),
    Fact("premises.fire_acceptance", "场所已通过消防验收或备案", BOOLEAN),
    Fact("region", "办理区划", REGION),
]}

OPERATORS: dict[str, str] = {
    "eq": "为", "ne": "不为", "gt": "大于", "gte": "不小于", "lt": "小于", "lte": "不大于",
    "in": "为以下之一", "not_in": "不为以下任何一项", "is_true": "为“是”", "is_false": "为“否”",
}
OPS_BY_TYPE: dict[str, tuple[str, ...]] = {
    INTEGER: ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in"),
    NUMBER: ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in"),
    BOOLEAN: ("is_true", "is_false", "eq", "ne"),
    CHOICE: ("eq", "ne", "in", "not_in"),
    REGION: ("eq", "ne", "in", "not_in"),  # in: within one of the regions (codes are prefixes, R3)
}
TYPE_NAMES = {INTEGER: "整数", NUMBER: "数值", BOOLEAN: "是/否", CHOICE: "选项", REGION: "行政区划代码"}
LIST_OPS = ("in", "not_in")
NO_VALUE_OPS = ("is_true", "is_false")
MET, FAILED, UNKNOWN = "met", "failed", "unknown"


def fact_of(key: str, licence_types: Mapping[str, str] | None = None) -> Fact | None:
    """The fact a rule names; `holds:<code>` is a boolean per licence type (the type must be
    known when `licence_types` is given)."""
    if not isinstance(key, str):
        return None
    if key.startswith(HOLDS):
        code = key.removeprefix(HOLDS)
        if not code or (licence_types is not None and code not in licence_types):
            return None
        name = (licence_types or {}).get(code, code)
        return Fact(key, f"持有有效的《{name}》", BOOLEAN)
    return FACTS.get(key)


# --- values ------------------------------------------------------------------------------------------

def _is_value(fact: Fact, value: Any) -> bool:
    """Is `value` a value of `fact`'s type? (Never raises.)"""
    if fact.type == BOOLEAN:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if fact.type == INTEGER:
        return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value) and value.is_integer())
    if fact.type == NUMBER:
        return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
    if fact.type == CHOICE:
        return isinstance(value, str) and value in fact.choices
    if fact.type == REGION:
        return isinstance(value, str) and bool(REGION_CODE.match(value))
    return False


def _expected(fact: Fact) -> str:
    if fact.type == CHOICE:
        return f"应为以下选项之一：{'、'.join(fact.choices)}"
    if fact.type == REGION:
        return "应为6、9或12位行政区划代码"
    return f"应为{TYPE_NAMES[fact.type]}"


def _value_text(fact: Fact, value: Any) -> str:
    if isinstance(value, list):
        return "、".join(_value_text(fact, v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if fact.key == "applicant.kind":
        return {"person": "自然人", "enterprise": "法人"}.get(value, str(value))
    return f"{value}{fact.unit}"


def default_message(fact: Fact, op: str, value: Any) -> str:
    """"申请人年龄须不小于18周岁", "须持有有效的《营业执照》" …"""
    if fact.key.startswith(HOLDS):
        return f"须{fact.label}" if op == "is_true" or (op == "eq" and value is True) else f"不得{fact.label}"
    if op in NO_VALUE_OPS:
        return f"{fact.label}须{OPERATORS[op]}"
    joiner = "：" if op in LIST_OPS else ""
    return f"{fact.label}须{OPERATORS[op]}{joiner}{_value_text(fact, value)}"


# --- validation --------------------------------------------------------------------------------------

def check_rules(value: Any, licence_types: Mapping[str, str] | None = None
                ) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """(canonical rules, problems); each problem names `condition_rules[i].<field>`."""
    if value in (None, ""):
        return [], []
    if not isinstance(value, list):
        return [], [("condition_rules", "应为规则列表：[{fact, op, value, message}]")]
    if len(value) > MAX_RULES:
        return [], [("condition_rules", f"规则不能超过{MAX_RULES}条")]
    rules, problems = [], []
    for i, raw in enumerate(value):
        rule, errors = _check_rule(f"condition_rules[{i}]", raw, licence_types)
        problems += [(name, f"第{i + 1}条规则：{message}") for name, message in errors]
        if rule is not None:
            rules.append(rule)
    return rules, problems


def clean_rules(value: Any, licence_types: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Canonical rules, or a FieldError naming every problem."""
    rules, problems = check_rules(value, licence_types)
    if problems:
        raise FieldError(errors=problems)
    return rules


def _check_rule(at: str, raw: Any, licence_types: Mapping[str, str] | None
                ) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    if not isinstance(raw, dict):
        return None, [(at, "应为对象：{fact, op, value, message}")]
    problems = [(f"{at}.{k}", "不是规则的字段（可用：fact、op、value、message）")
                for k in sorted(map(str, set(raw) - {"fact", "op", "value", "message"}))]
    fact = fact_of(raw.get("fact"), licence_types)
    if fact is None:
        name = raw.get("fact")
        reason = (f"未知证照类型“{str(name).removeprefix(HOLDS)}”" if isinstance(name, str) and name.startswith(HOLDS)
                  else f"未知事实“{name}”")
        return None, [*problems, (f"{at}.fact", reason)]
    op = raw.get("op")
    if op not in OPERATORS:
        return None, [*problems, (f"{at}.op", f"未知运算“{op}”（可用：{'、'.join(OPERATORS)}）")]
    if op not in OPS_BY_TYPE[fact.type]:
        return None, [*problems, (f"{at}.op", f"“{fact.label}”（{TYPE_NAMES[fact.type]}）不能用运算“{op}”"
                                              f"（可用：{'、'.join(OPS_BY_TYPE[fact.type])}）")]
    value = raw.get("value")
    problems += _check_value(at, fact, op, value)
    message = raw.get("message")
    if message is not None and not isinstance(message, str):
        problems.append((f"{at}.message", "应为文本"))
    elif message and len(message.strip()) > MAX_MESSAGE:
        problems.append((f"{at}.message", f"不能超过{MAX_MESSAGE}个字符"))
    if problems:
        return None, problems
    value = None if op in NO_VALUE_OPS else value
    return {"fact": fact.key, "op": op, "value": value,
            "message": (message or "").strip() or default_message(fact, op, value)}, []


def _check_value(at: str, fact: Fact, op: str, value: Any) -> list[tuple[str, str]]:
    if op in NO_VALUE_OPS:
        return [] if value is None else [(f"{at}.value", f"运算“{op}”不需要取值")]
    if op in LIST_OPS:
        if not isinstance(value, list) or not value:
            return [(f"{at}.value", f"运算“{op}”的取值应为非空列表")]
        if len(value) > MAX_VALUES:
            return [(f"{at}.value", f"列表不能超过{MAX_VALUES}项")]
        wrong = [i for i, v in enumerate(value) if not _is_value(fact, v)]
        return [(f"{at}.value", f"第{i + 1}项{_expected(fact)}") for i in wrong]
    return [] if _is_value(fact, value) else [(f"{at}.value", _expected(fact))]


# --- evaluation --------------------------------------------------------------------------------------

def _met(fact: Fact, op: str, rule_value: Any, fact_value: Any) -> bool:
    if op == "is_true":
        return fact_value is True
    if op == "is_false":
        return fact_value is False
    if op in LIST_OPS:
        inside = any(_equal(fact, fact_value, v) for v in rule_value)
        return inside if op == "in" else not inside
    if op == "eq":
        return fact_value == rule_value
    if op == "ne":
        return fact_value != rule_value
    return {"gt": fact_value > rule_value, "gte": fact_value >= rule_value,
            "lt": fact_value < rule_value, "lte": fact_value <= rule_value}[op]


def _equal(fact: Fact, fact_value: Any, rule_value: Any) -> bool:
    if fact.type == REGION:  # within: a street's code starts with its district's
        return fact_value.startswith(rule_value)
    return fact_value == rule_value


def evaluate(rules: Any, facts: Any, *, licence_types: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Each rule's outcome for the facts: `{"rule": index, "status": met|failed|unknown,
    "message", "fact", "label"}`. Pure and total: it never raises, whatever the facts; a fact
    that is absent, None or not a value of its type is `unknown` (to ask, never to guess).
    A malformed rule (which publishing would have refused) is `unknown` too. `licence_types`
    (code → name) only makes the labels of `holds:` facts read as names."""
    facts = facts if isinstance(facts, Mapping) else {}
    out = []
    for i, rule in enumerate(rules if isinstance(rules, list) else []):
        out.append(_evaluate_one(i, rule, facts, licence_types))
    return out


def _label(key: Any, licence_types: Mapping[str, str] | None) -> str:
    fact = (fact_of(key, licence_types) if licence_types else None) or fact_of(key)
    return fact.label if fact else ""


def _evaluate_one(index: int, rule: Any, facts: Mapping, licence_types: Mapping[str, str] | None) -> dict[str, Any]:
    rule = rule if isinstance(rule, dict) else {}
    key = rule.get("fact")
    fact = fact_of(key)
    message = rule.get("message") if isinstance(rule.get("message"), str) else ""
    result = {"rule": index, "status": UNKNOWN, "message": message, "fact": key if isinstance(key, str) else "",
              "label": _label(key, licence_types)}
    if fact is None or rule.get("op") not in OPS_BY_TYPE[fact.type]:
        return result
    op, value = rule["op"], rule.get("value")
    if op not in NO_VALUE_OPS and _check_value("", fact, op, value):
        return result
    try:
        present = key in facts
        fact_value = facts[key] if present else None
    except Exception:  # an exotic mapping: treat as absent
        return result
    if not present or not _is_value(fact, fact_value):
        return result
    result["status"] = MET if _met(fact, op, value, fact_value) else FAILED
    if not result["message"]:
        result["message"] = default_message(fact, op, value)
    return result


def is_known(key: str, facts: Mapping) -> bool:
    """The fact is given with a value of its type (what `evaluate` does not report unknown)."""
    fact = fact_of(key)
    return fact is not None and key in facts and _is_value(fact, facts[key])


def licence_codes(rules: Any) -> list[str]:
    """The licence types `holds:` rules name (for their display names)."""
    return [r["fact"].removeprefix(HOLDS) for r in rules or []
            if isinstance(r, dict) and isinstance(r.get("fact"), str) and r["fact"].startswith(HOLDS)]


def describe(rules: list[dict[str, Any]], licence_types: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Rules as the guide shows them: each with its fact's label, type and unit (what the
    pre-check asks), in order."""
    out = []
    for rule in rules or []:
        fact = fact_of(rule.get("fact"))
        out.append({**rule, "label": _label(rule.get("fact"), licence_types), "type": fact.type if fact else "",
                    "unit": fact.unit if fact else "", "choices": list(fact.choices) if fact else []})
    return out


def vocabulary() -> list[dict[str, Any]]:
    """The fact vocabulary, for editors and the pre-check form (holds:<code> is per licence type)."""
    return [{"fact": f.key, "label": f.label, "type": f.type, "unit": f.unit, "choices": list(f.choices),
             "ops": list(OPS_BY_TYPE[f.type])} for f in FACTS.values()] + [
        {"fact": f"{HOLDS}<证照类型编码>", "label": "持有有效的某类电子证照", "type": BOOLEAN, "unit": "",
         "choices": [], "ops": list(OPS_BY_TYPE[BOOLEAN])}]
