"""The starter form-field dictionary: every field the reference bundles share, with a JSON
Schema fragment. Several bundles call the same field by different names (企业名称, 经营者名称,
单位名称); those are aliases of one key, so a one-thing form asks it once."""

from __future__ import annotations

from typing import Any

ID_NUMBER = {"type": "string", "format": "id_number", "pattern": r"^\d{17}[\dXx]$", "maxLength": 18}
USCC = {"type": "string", "format": "uscc", "pattern": r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"}
PHONE = {"type": "string", "format": "phone", "pattern": r"^(1\d{10}|0\d{2,3}-?\d{7,8})$"}
NAME = {"type": "string", "minLength": 2, "maxLength": 50}
TEXT = {"type": "string", "maxLength": 200}
DATE = {"type": "string", "format": "date"}
YES_NO = {"type": "boolean"}
COUNT = {"type": "integer", "minimum": 0}
AMOUNT = {"type": "number", "minimum": 0}

# key, label, schema, aliases
FIELDS: list[tuple[str, str, dict[str, Any], list[str]]] = [
    ("enterprise.name", "企业（经营者）名称", {"type": "string", "maxLength": 120},
     ["经营者名称", "企业名称", "单位名称"]),
    ("enterprise.uscc", "统一社会信用代码", USCC, []),
    ("enterprise.legal_representative", "法定代表人（负责人）", NAME, ["法定代表人"]),
    ("enterprise.legal_representative_id", "法定代表人身份证件号码", ID_NUMBER, []),
    ("enterprise.registered_capital", "注册资本（万元）", AMOUNT, []),
    ("enterprise.business_scope", "经营范围", {"type": "string", "maxLength": 1000}, []),
    ("enterprise.employees", "从业人员数量", COUNT, []),
    ("enterprise.finance_officer", "财务负责人", NAME, []),
    ("enterprise.tax_agent", "办税人员", NAME, []),
    ("premises.address", "经营场所（住所）", TEXT, ["经营场所", "住所"]),
    ("premises.area_m2", "经营面积（平方米）", AMOUNT, []),
    ("premises.private_rooms", "包厢数量", COUNT, []),
    ("premises.has_pool", "是否设游泳池", YES_NO, []),
    ("business.main_items", "主要经营项目", TEXT, []),
    ("food.cold_raw", "是否含冷食类、生食类制售", YES_NO, []),
    ("tobacco.sells_cigarettes", "是否销售卷烟", YES_NO, []),
    ("pharmacy.pharmacist_name", "执业药师姓名", NAME, []),
    ("pharmacy.pharmacist_licence", "执业药师注册证编号", {"type": "string", "maxLength": 40}, []),
    ("pharmacy.scope", "经营范围（药品类别）", TEXT, []),
    ("hotel.rooms", "客房数量", COUNT, []),
    ("hotel.beds", "床位数量", COUNT, []),
    ("hotel.has_restaurant", "是否设餐厅", YES_NO, []),
    ("contact.phone", "联系电话", PHONE, []),
    ("person.name", "姓名", NAME, []),
    ("person.id_number", "身份证件号码", ID_NUMBER, []),
    ("person.work_start_date", "参加工作时间", DATE, []),
    ("person.retirement_date", "退休时间", DATE, []),
    ("person.bank_account", "银行账户", {"type": "string", "pattern": r"^\d{12,19}$"}, []),
    ("household.address", "户籍地址", TEXT, []),
    ("household.move_in_address", "户口迁入地址", TEXT, []),
    ("household.settle_address", "落户地址", TEXT, []),
    ("newborn.name", "新生儿姓名", NAME, []),
    ("newborn.sex", "新生儿性别", {"type": "string", "enum": ["男", "女"]}, []),
    ("newborn.birth_date", "出生日期", DATE, []),
    ("newborn.birth_place", "出生地点", TEXT, []),
    ("father.name", "父亲姓名", NAME, []),
    ("father.id_number", "父亲身份证件号码", ID_NUMBER, []),
    ("mother.name", "母亲姓名", NAME, []),
    ("mother.id_number", "母亲身份证件号码", ID_NUMBER, []),
    ("marriage.male_name", "男方姓名", NAME, []),
    ("marriage.male_id_number", "男方身份证件号码", ID_NUMBER, []),
    ("marriage.female_name", "女方姓名", NAME, []),
    ("marriage.female_id_number", "女方身份证件号码", ID_NUMBER, []),
    ("marriage.appointment_date", "预约登记日期", DATE, []),
    ("property.seller_name", "卖方姓名", NAME, []),
    ("property.seller_id_number", "卖方身份证件号码", ID_NUMBER, []),
    ("property.buyer_name", "买方姓名", NAME, []),
    ("property.buyer_id_number", "买方身份证件号码", ID_NUMBER, []),
    ("property.certificate_number", "不动产权证书号", {"type": "string", "maxLength": 60}, []),
    ("property.location", "房屋坐落", TEXT, []),
    ("property.price", "成交价格（元）", AMOUNT, ["成交价格"]),
    ("employee.name", "职工姓名", NAME, []),
    ("employee.id_number", "职工身份证件号码", ID_NUMBER, []),
    ("employee.start_date", "入职日期", DATE, []),
    ("employee.contract_term", "劳动合同期限", {"type": "string", "maxLength": 40}, []),
    ("employee.wage_base", "缴费工资基数（元）", AMOUNT, ["缴费工资基数"]),
    ("deceased.name", "逝者姓名", NAME, []),
    ("deceased.id_number", "逝者身份证件号码", ID_NUMBER, []),
    ("deceased.death_date", "死亡日期", DATE, []),
    ("declarant.name", "申报人姓名", NAME, []),
    ("declarant.id_number", "申报人身份证件号码", ID_NUMBER, []),
    ("declarant.relationship", "与逝者关系", {"type": "string", "maxLength": 20}, []),
    ("veteran.discharge_date", "退役时间", DATE, []),
    ("veteran.unit", "原部队番号（代号）", {"type": "string", "maxLength": 40}, []),
    ("veteran.placement", "安置方式", {"type": "string", "enum": ["逐月领取退役金", "自主就业", "安排工作",
                                                              "退休", "供养"]}, []),
    ("disability.category", "残疾类别", {"type": "string", "enum": ["视力残疾", "听力残疾", "言语残疾", "肢体残疾",
                                                                "智力残疾", "精神残疾", "多重残疾"]}, []),
    ("disability.grade", "残疾等级", {"type": "string", "enum": ["一级", "二级", "三级", "四级"]}, []),
    ("guardian.name", "监护人姓名", NAME, []),
    ("guardian.id_number", "监护人身份证件号码", ID_NUMBER, []),
    ("liquidation.leader", "清算组负责人", NAME, []),
    ("liquidation.leader_id_number", "清算组负责人身份证件号码", ID_NUMBER, []),
    ("closing.reason", "注销原因", TEXT, []),
    ("project.name", "项目名称", TEXT, []),
    ("project.code", "项目代码", {"type": "string", "maxLength": 40}, []),
    ("project.builder", "建设单位", {"type": "string", "maxLength": 120}, []),
    ("project.location", "建设地点", TEXT, []),
    ("project.floor_area_m2", "总建筑面积（平方米）", AMOUNT, []),
    ("project.investment", "总投资（万元）", AMOUNT, []),
]


def key_by_label() -> dict[str, str]:
    """Label or alias → key."""
    out: dict[str, str] = {}
    for key, label, _, aliases in FIELDS:
        for name in (label, *aliases):
            out[name] = key
    return out
