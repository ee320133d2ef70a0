"""Eligibility pre-check (资格预检): the item's conditions, kept as rules in its catalogue
version (`condition_rules`, catalog/conditions.py), evaluated against what is known before the
applicant fills in the form.

Known facts come from authoritative sources first: the applicant's age and gender from the ID
number (R1), whether the applicant acts as a person or an enterprise, the real-name level, the
region applied in, the enterprise's registration status when the platform records it, and for
each `holds:<licence type>` rule the `LicenceProvider`'s answer. The caller may add facts the
platform does not know (经营场所面积 …); a given fact never overrides an authoritative one — the
answer says which were ignored and why. Whatever is still unknown is asked (label, type, unit,
choices), never guessed: `eligible` is null until every rule is decided.

Reads only; the caller's own data, so nothing is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tongban.catalog import conditions
from tongban.catalog import selectors as catalog
from tongban.catalog.licensing import holder_of, licence_provider
from tongban.catalog.models import LicenceType
from tongban.core.errors import FieldError, NotFound
from tongban.core.identifiers import IdentifierError, validate_id_number
from tongban.identity.constants import RealNameLevel
from tongban.identity.selectors import active_membership

MAX_FACTS = 100
SOURCE_ID = "实名认证信息（公民身份号码）"
SOURCE_ACCOUNT = "账号信息"
SOURCE_LICENCE = "电子证照库"
SOURCE_ENTERPRISE = "企业登记信息"
SOURCE_REQUEST = "办理区划"


def age_on(id_number: str, today: dt.date) -> int | None:
    """Full years of age from a valid ID number's birth date (R1); None when invalid."""
    try:
        number = validate_id_number(id_number, today)
    except IdentifierError:
        return None
    born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def gender_of(id_number: str) -> str | None:
    try:
        number = validate_id_number(id_number)
    except IdentifierError:
        return None
    return "男" if int(number[16]) % 2 else "女"


def authoritative_facts(user: Any, enterprise: Any, region_code: str, rules: list[Any],
                        today: dt.date | None = None) -> dict[str, tuple[Any, str]]:
    """{fact: (value, source)} from the platform's own records."""
    today = today or timezone.localdate()
    facts: dict[str, tuple[Any, str]] = {
        "applicant.kind": ("enterprise" if enterprise is not None else "person", SOURCE_ACCOUNT),
        "applicant.real_name_verified": (getattr(user, "real_name_level", 0) >= RealNameLevel.VERIFIED,
                                         SOURCE_ACCOUNT),
        "region": (region_code, SOURCE_REQUEST),
    }
    id_number = getattr(user, "id_number", None) or ""
    age = age_on(id_number, today) if id_number else None
    if age is not None:
        facts["applicant.age"] = (age, SOURCE_ID)
        facts["applicant.gender"] = (gender_of(id_number), SOURCE_ID)
    status = getattr(enterprise, "registration_status", None) if enterprise is not None else None
    if status:
        facts["enterprise.status"] = (status, SOURCE_ENTERPRISE)
    codes = sorted(set(conditions.licence_codes(rules)))
    holder = holder_of(user, enterprise)
    if codes and holder:
        held = licence_provider().held(holder, codes, on=today)
        for code in codes:  # the provider's answer is authoritative both ways
            facts[f"{conditions.HOLDS}{code}"] = (code in held, SOURCE_LICENCE)
    return facts


def _given(raw: Any, known: dict[str, tuple[Any, str]], licence_types: dict[str, str]
           ) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The caller's facts that may be used, and those ignored (with the reason)."""
    if raw in (None, ""):
        return {}, []
    if not isinstance(raw, dict):
        raise FieldError("facts", "应为对象：{事实: 取值}")
    if len(raw) > MAX_FACTS:
        raise FieldError("facts", f"事实不能超过{MAX_FACTS}项")
    used, ignored, errors = {}, [], []
    for key, value in raw.items():
        fact = conditions.fact_of(key, licence_types) or conditions.fact_of(key)
        if fact is None:
            ignored.append({"fact": str(key)[:80], "reason": "不是受理条件使用的事实，已忽略"})
        elif key in known:
            ignored.append({"fact": key, "label": fact.label,
                            "reason": f"以{known[key][1]}为准，提交的取值未采用"})
        elif value is None:
            continue
        elif not conditions.is_known(key, {key: value}):
            errors.append((f"facts.{key}", f"“{fact.label}”{_expected(fact)}"))
        else:
            used[key] = value
    if errors:
        raise FieldError(errors=errors)
    return used, ignored


def check(user: Any, *, item: str, region: str | None = None, on_behalf_of: str | None = None,
          facts: Any = None) -> dict[str, Any]:
    """The pre-check's answer: `eligible` true (every rule met), false (one failed, in the
    guide's words) or null (some fact unknown: see `ask`)."""
    try:
        service_item = catalog.get_item(item)
    except NotFound as exc:
        raise FieldError("item", exc.message) from None
    try:
        impl = catalog.implementation_of(service_item, region)
    except NotFound as exc:
        raise FieldError("region", exc.message) from None
    enterprise = None
    if on_behalf_of:
        try:
            enterprise = active_membership(user, on_behalf_of).enterprise
        except NotFound as exc:
            raise FieldError("on_behalf_of", f"{exc.message}：{on_behalf_of}") from None
    version = catalog.version_in_force(service_item)
    rules = list(version.elements.get("condition_rules") or [])
    codes = conditions.licence_codes(rules)
    licence_types = dict(LicenceType.objects.filter(pk__in=codes).values_list("pk", "name")) if codes else {}
    known = authoritative_facts(user, enterprise, region or impl.region_id, rules)
    used, ignored = _given(facts, known, licence_types)
    values = {**used, **{k: v for k, (v, _) in known.items()}}
    results = conditions.evaluate(rules, values, licence_types=licence_types)
    statuses = {r["status"] for r in results}
    eligible = False if conditions.FAILED in statuses else (None if conditions.UNKNOWN in statuses else True)
    return {
        "item": {"code": service_item.code, "name": service_item.name, "version": version.number},
        "region": region or impl.region_id,
        "eligible": eligible,
        "results": [{**r, "source": _source(r["fact"], known, used)} for r in results],
        "ask": _ask(rules, results, licence_types),
        "known": [{"fact": k, "label": _label(k, licence_types), "value": v, "source": s}
                  for k, (v, s) in known.items() if any(r["fact"] == k for r in results)],
        "ignored": ignored,
    }


def _expected(fact: conditions.Fact) -> str:
    if fact.type == conditions.CHOICE:
        return f"应为以下选项之一：{'、'.join(fact.choices)}"
    if fact.type == conditions.REGION:
        return "应为6、9或12位行政区划代码"
    return f"应为{conditions.TYPE_NAMES[fact.type]}"


def _label(key: str, licence_types: dict[str, str]) -> str:
    fact = conditions.fact_of(key, licence_types) or conditions.fact_of(key)
    return fact.label if fact else key


def _source(key: str, known: dict[str, tuple[Any, str]], used: dict[str, Any]) -> str | None:
    if key in known:
        return known[key][1]
    return "申请人填写" if key in used else None


def _ask(rules: list[Any], results: list[dict[str, Any]], licence_types: dict[str, str]) -> list[dict[str, Any]]:
    asked: dict[str, dict[str, Any]] = {}
    for result in results:
        key = result["fact"]
        if result["status"] != conditions.UNKNOWN or key in asked:
            continue
        fact = conditions.fact_of(key, licence_types) or conditions.fact_of(key)
        if fact is None:
            continue  # a malformed rule: nothing the applicant could answer
        asked[key] = {"fact": key, "label": fact.label, "type": fact.type, "unit": fact.unit,
                      "choices": list(fact.choices), "message": result["message"]}
    return list(asked.values())
