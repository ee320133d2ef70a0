"""Demo catalogue: every licence type, item and bundle of the reference data
(`data/dalian-catalog.json`), each item published as version 1, implemented in the city and
in districts. Runs after identity's loader (regions and departments must exist) and takes a
second or two: everything goes in with `bulk_create`.

Implementations: a city-level item in the city by its department; a district-level item in
the city, in 中山区 and 西岗区, and wherever a district department of the same line exists
(中山区民政局, 西岗区人社局, 高新区市场监管局) by that department — else by the city department
for the district.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from tongban.core import audit
from tongban.identity.demo import load_catalog
from tongban.identity.models import Department, Region

from . import sample_forms, searching
from .constants import COMPUTED_LISTS, DaysUnit, Level, Source
from .form_fields import FIELDS, key_by_label
from .models import (
    Bundle,
    BundleItem,
    FormField,
    ItemImplementation,
    ItemVersion,
    LicenceType,
    Material,
    MaterialType,
    Question,
    ServiceItem,
)
from .standard import References, clean_standard
from .versions import apply_to_item, attach, build_version, new_material_types

EFFECTIVE = dt.date(2026, 1, 1)
CITY = "210200"
DISTRICTS = ("210202", "210203")  # 中山区, 西岗区: every district-level item is implemented there
HALLS = {"210200": "大连市政务服务中心", "210202": "中山区政务服务中心", "210203": "西岗区政务服务中心"}
HOURS = "工作日 8:30—11:30，13:00—17:00（法定节假日除外）"
CONSULTATION = "拨打12345政务服务便民热线；登录通办平台“我要咨询”；到办理窗口现场咨询"
COMPLAINT = "拨打12345政务服务便民热线；通办平台“好差评”；向{dept}监督科室反映"

# Scenario questions the reference data lacks for the 我要开饭店 items, so that the whole
# bundle can be narrowed down by its questionnaire. Each only removes a material that the
# applicant's situation makes unnecessary.
EXTRA_QUESTIONS: dict[str, list[dict[str, Any]]] = {
    "CG-XK-001": [{"question": "设置位置是否为申请人自有产权？", "options": [
        {"label": "是，自有产权", "adds_materials": [], "removes_materials": ["设置位置的产权人同意设置的证明"]},
        {"label": "否，他人产权", "adds_materials": [], "removes_materials": []}]}],
    "CG-XK-005": [{"question": "是否从事餐饮、洗车、洗浴等须建设污水预处理设施的经营活动？", "options": [
        {"label": "是", "adds_materials": [], "removes_materials": []},
        {"label": "否", "adds_materials": [], "removes_materials": ["按规定建设污水预处理设施的有关材料"]}]}],
    "SWJ-GG-001": [{"question": "是否由法定代表人（负责人）本人办税？", "options": [
        {"label": "是，本人办税", "adds_materials": [], "removes_materials": ["办税人员居民身份证"]},
        {"label": "否，另有办税人员", "adds_materials": [], "removes_materials": []}]}],
}

# Conditions as rules (conditions.py) for the 我要开饭店 items and frequent citizen items: what
# the eligibility pre-check evaluates beside the condition text.
_HOLDS_YYZZ = {"fact": "holds:ZZ-YYZZ", "op": "is_true", "message": "须已取得营业执照"}
_ENTERPRISE_ALIVE = {"fact": "enterprise.status", "op": "in", "value": ["存续", "在业"],
                     "message": "企业须处于存续（在业）状态，已吊销或注销的不能申请"}
_NOT_BLACKLISTED = {"fact": "enterprise.blacklisted", "op": "is_false",
                    "message": "列入严重失信主体名单的，依法限制办理（R30）"}
CONDITION_RULES: dict[str, list[dict[str, Any]]] = {
    "SCJG-XK-001": [
        {"fact": "applicant.age", "op": "gte", "value": 18,
         "message": "法定代表人须年满十八周岁，具有完全民事行为能力"},
        {"fact": "region", "op": "in", "value": ["210200"], "message": "企业住所须在大连市行政区划内"},
        {"fact": "enterprise.registered_capital", "op": "gte", "value": 0, "message": "注册资本不能为负数"}],
    "SCJG-XK-008": [
        _HOLDS_YYZZ, _ENTERPRISE_ALIVE, _NOT_BLACKLISTED,
        {"fact": "premises.area_m2", "op": "gt", "value": 0, "message": "须有与经营规模相适应的经营场所"}],
    "XF-XK-001": [
        _HOLDS_YYZZ, _ENTERPRISE_ALIVE,
        {"fact": "premises.fire_acceptance", "op": "is_true",
         "message": "场所须已通过建设工程消防验收或者进行消防验收备案"}],
    "CG-XK-005": [_HOLDS_YYZZ, _ENTERPRISE_ALIVE],
    "CG-XK-001": [_HOLDS_YYZZ, _ENTERPRISE_ALIVE],
    "SWJ-GG-001": [
        _HOLDS_YYZZ,
        {"fact": "applicant.real_name_verified", "op": "is_true", "message": "办税人员须已完成实名认证"}],
    "RS-GG-005": [_HOLDS_YYZZ, _ENTERPRISE_ALIVE],
    # Frequent citizen items.
    "GA-XK-001": [{"fact": "holds:ZZ-SFZ", "op": "is_true", "message": "须持有有效的居民身份证"}],
    "GA-QR-001": [{"fact": "holds:ZZ-SFZ", "op": "is_true", "message": "须持有原居民身份证（有效期满或需换领）"}],
    "GA-QR-004": [
        {"fact": "holds:ZZ-CSZM", "op": "is_true", "message": "须已取得出生医学证明"},
        {"fact": "newborn.age_days", "op": "lte", "value": 31,
         "message": "婴儿出生后一个月以内申报（逾期须补充说明）"}],
    "GA-XK-003": [
        {"fact": "holds:ZZ-JSZ", "op": "is_true", "message": "须持有机动车驾驶证"},
        {"fact": "driving_licence.days_to_expiry", "op": "lte", "value": 90,
         "message": "须在驾驶证有效期满前九十日内申请"}],
    "MZ-QR-001": [
        {"fact": "marriage.groom_age", "op": "gte", "value": 22, "message": "男方须年满二十二周岁"},
        {"fact": "marriage.bride_age", "op": "gte", "value": 20, "message": "女方须年满二十周岁"},
        {"fact": "applicant.marital_status", "op": "in", "value": ["未婚", "离异", "丧偶"],
         "message": "申请人须无配偶"},
        {"fact": "partner.marital_status", "op": "in", "value": ["未婚", "离异", "丧偶"], "message": "另一方须无配偶"}],
    "RS-QR-001": [
        {"fact": "applicant.retirement_age_reached", "op": "is_true", "message": "须达到法定退休年龄"},
        {"fact": "applicant.insured_years", "op": "gte", "value": 15,
         "message": "基本养老保险累计缴费年限须满十五年（国家规定的最低缴费年限）"}],
}

AUDIT_CRITERIA = {
    Source.LICENCE: "电子证照在有效期内，持证人与申请人（或相关人）一致",
    Source.DEPARTMENT: "共享数据与申请信息一致",
    Source.FORM: "按表单要求如实、完整填写，签字（盖章）齐全",
    Source.APPLICANT: "内容真实、完整，签字（盖章）齐全；复印件与原件一致",
}


def standard_from_reference(item: dict[str, Any]) -> dict[str, Any]:
    """One item of the reference data as a standard (before validation)."""
    basis = item["basis"][0] if item["basis"] else ""
    materials = [{**m, "basis": basis, "audit_criteria": AUDIT_CRITERIA[m["source"]],
                  "provider": m.get("provider"), **_form_files(item["code"], i, m)}
                 for i, m in enumerate(item["materials"])]
    questions = [{"text": s["question"], "options": s["options"]}
                 for s in item.get("scenarios", []) + EXTRA_QUESTIONS.get(item["code"], [])]
    return {
        "name": item["name"], "type": item["type"], "department": item["department"], "level": item["level"],
        "audience": item["audience"], "themes": item["themes"], "life_stage": item["life_stage"],
        "online_depth": item["online_depth"], "lists": [x for x in item["lists"] if x not in COMPUTED_LISTS],
        "legal_days": item["legal_days"], "legal_days_unit": item["legal_days_unit"], "fee_standard": item["fee"],
        "basis": item["basis"], "conditions": item["conditions"],
        "condition_rules": CONDITION_RULES.get(item["code"], []),
        "audit_criteria": [f"符合受理条件：{c}" for c in item["conditions"]],
        "process": item["process"], "uncounted_steps": item["uncounted_steps"],
        "departments_parallel": item["departments_parallel"], "outputs": item["outputs"],
        "keywords": item["keywords"], "materials": materials, "questions": questions,
    }


def _form_files(code: str, position: int, material: dict[str, Any]) -> dict[str, str]:
    """A form material's blank form and sample: committed files (sample_forms.py)."""
    if material["source"] != Source.FORM:
        return {}
    blank, sample = sample_forms.file_names(code, position)
    return {"blank_form": blank, "sample": sample}


def _popularity(item: dict[str, Any], bundle_count: int) -> int:
    """A plausible starting heat until views and applications are counted."""
    return (40 * bundle_count + (20 if item["audience"] != "enterprise" else 0) + 10 * len(item["keywords"])
            + (15 if "跨省通办" in item["lists"] else 0))


def is_loaded() -> bool:
    return ServiceItem.objects.exists()


@transaction.atomic
def load(catalog: dict[str, Any] | None = None) -> dict[str, int]:
    """Load the reference catalogue; does nothing if items exist already. Returns counts."""
    if is_loaded():
        return {}
    catalog = catalog or load_catalog()
    _licence_types(catalog["licence_types"])
    refs = References.load()
    standards = {i["code"]: clean_standard(standard_from_reference(i), refs) for i in catalog["items"]}
    MaterialType.objects.bulk_create(new_material_types(list(standards.values()), refs))
    bundle_count = {}
    for b in catalog["bundles"]:
        for code in b["items"]:
            bundle_count[code] = bundle_count.get(code, 0) + 1
    items = _items(catalog["items"], standards, refs, bundle_count)
    implementations = _implementations(catalog["items"], items)
    _form_fields()
    _bundles(catalog["bundles"], items)
    audit.record("catalog.demo.load", data={"items": len(items), "implementations": implementations})
    transaction.on_commit(searching.index_items)
    transaction.on_commit(searching.index_bundles)
    return {"licence_types": len(catalog["licence_types"]), "items": len(items),
            "implementations": implementations, "bundles": len(catalog["bundles"])}


def _licence_types(rows: list[dict[str, Any]]) -> None:
    LicenceType.objects.bulk_create([
        LicenceType(code=r["code"], name=r["name"], issuer_id=r["issuer"], holder_type=r["holder_type"],
                    validity_years=r.get("validity_years"), validity_days=r.get("validity_days"),
                    validity_note=r.get("validity_note", "")) for r in rows])
    MaterialType.objects.bulk_create([MaterialType(code=r["code"], name=r["name"], licence_type_id=r["code"])
                                      for r in rows])


def _items(rows: list[dict[str, Any]], standards: dict[str, dict[str, Any]], refs: References,
           bundle_count: dict[str, int]) -> dict[str, ServiceItem]:
    now = timezone.now()
    items: dict[str, ServiceItem] = {}
    built = []
    for row in rows:
        heat = _popularity(row, bundle_count.get(row["code"], 0))
        item = ServiceItem(code=row["code"], region_id=CITY, popularity=heat)
        version, materials, questions = build_version(
            item, 1, standards[row["code"]], refs, effective_date=EFFECTIVE, published_at=now, published_by=None,
            summary="首次发布（参考事项目录 2025.1）", changed=[])
        apply_to_item(item, standards[row["code"]], version)
        item.current_version = None
        items[row["code"]] = item
        built.append((item, version, materials, questions))
    ServiceItem.objects.bulk_create(items.values())
    for item, version, _, _ in built:
        version.item = item
    ItemVersion.objects.bulk_create([v for _, v, _, _ in built])
    type_ids = dict(MaterialType.objects.values_list("code", "pk"))
    for item, version, materials, questions in built:
        attach(version, materials, questions, type_ids)
        item.current_version = version
    Material.objects.bulk_create([m for *_, materials, _ in built for m in materials])
    Question.objects.bulk_create([q for *_, questions in built for q in questions])
    ServiceItem.objects.bulk_update(items.values(), ["current_version"])
    return items


def _implementations(rows: list[dict[str, Any]], items: dict[str, ServiceItem]) -> int:
    departments = {d.pk: d for d in Department.objects.all()}
    regions = {r.pk: r for r in Region.objects.filter(level__in=["city", "district"])}
    branches: dict[str, list[Department]] = {}
    for d in departments.values():
        if d.parent_id:
            branches.setdefault(d.parent_id, []).append(d)
    impls = []
    for row in rows:
        item = items[row["code"]]
        places = [(departments[row["department"]], CITY)]
        if row["level"] == Level.DISTRICT:
            local = {b.region_id: b for b in branches.get(row["department"], [])}
            for region in sorted(set(DISTRICTS) | set(local)):
                places.append((local.get(region, departments[row["department"]]), region))
        for dept, region in places:
            impls.append(_implementation(item, row, dept, regions[region]))
    ItemImplementation.objects.bulk_create(impls)
    return len(impls)


def _implementation(item: ServiceItem, row: dict[str, Any], dept: Department, region: Region) -> ItemImplementation:
    hall = HALLS.get(region.pk, f"{region.name}政务服务中心")
    return ItemImplementation(
        item=item, department=dept, region=region, place=hall, window=f"{dept.name}综合受理窗口",
        hours=HOURS, phone="12345", consultation=CONSULTATION, complaint=COMPLAINT.format(dept=dept.name),
        fee=row["fee"], promised_days=row["promised_days"], legal_days=row["legal_days"],
        legal_days_unit=row.get("legal_days_unit", DaysUnit.WORKING))


def _form_fields() -> None:
    FormField.objects.bulk_create([FormField(key=k, label=label, schema={**schema, "title": label}, aliases=aliases)
                                   for k, label, schema, aliases in FIELDS])


def _bundles(rows: list[dict[str, Any]], items: dict[str, ServiceItem]) -> None:
    keys = key_by_label()
    bundles = [Bundle(code=b["code"], name=b["name"], audience=b["audience"], description=b["description"],
                      lead_department_id=items[b["items"][0]].department_id,
                      shared_fields=[keys[label] for label in b["shared_fields"]]) for b in rows]
    Bundle.objects.bulk_create(bundles)
    BundleItem.objects.bulk_create([BundleItem(bundle=bundle, item=items[code], position=i)
                                    for bundle, b in zip(bundles, rows, strict=True)
                                    for i, code in enumerate(b["items"])])
