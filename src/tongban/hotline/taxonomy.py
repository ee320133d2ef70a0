"""The default two-level subject taxonomy (诉求分类) and its routing keywords.

Each leaf names the *kind* of department that handles it: the id of the city department of
`dalian-catalog.json` (`urban-mgmt`, `housing`, …). A district department of that kind is a
`Department` whose `parent` is the city one; the ticket's region picks it (see `routing.py`).
The taxonomy is data: `ensure_loaded()` writes it into `Subject` rows once, after which
administrators edit the rows (rename, deactivate, change the department kind, add leaves).
"""

from __future__ import annotations

from typing import NamedTuple


class Leaf(NamedTuple):
    code: str  # Open311 service_code
    group: str
    name: str
    kind: str  # city department id of the catalogue


LEAVES: tuple[Leaf, ...] = (
    # 城市管理
    Leaf("noise-construction", "城市管理", "施工噪音", "urban-mgmt"),
    Leaf("noise-commercial", "城市管理", "商业及广场噪音", "urban-mgmt"),
    Leaf("cooking-fumes", "城市管理", "油烟污染", "urban-mgmt"),
    Leaf("street-vending", "城市管理", "占道经营", "urban-mgmt"),
    Leaf("illegal-building", "城市管理", "违章建筑", "urban-mgmt"),
    Leaf("garbage", "城市管理", "垃圾清运", "urban-mgmt"),
    Leaf("manhole", "城市管理", "井盖缺失破损", "urban-mgmt"),
    Leaf("streetlight", "城市管理", "路灯照明", "urban-mgmt"),
    Leaf("road-damage", "城市管理", "道路破损", "urban-mgmt"),
    Leaf("greenery", "城市管理", "园林绿化", "urban-mgmt"),
    Leaf("signboard", "城市管理", "户外广告牌匾", "urban-mgmt"),
    Leaf("water-supply", "城市管理", "供水排水", "urban-mgmt"),
    # 物业与住房
    Leaf("property-service", "物业", "物业服务", "housing"),
    Leaf("property-fee", "物业", "物业收费", "housing"),
    Leaf("public-repair", "物业", "房屋公共部位维修", "housing"),
    Leaf("housing-quality", "住房", "新房质量与交房", "housing"),
    Leaf("gas", "住房", "燃气", "housing"),
    Leaf("real-estate-cert", "住房", "不动产登记", "real-estate-reg"),
    Leaf("provident-withdraw", "住房", "公积金提取", "provident-fund"),
    Leaf("provident-loan", "住房", "公积金贷款", "provident-fund"),
    # 供暖
    Leaf("heating-cold", "供暖", "供暖不热", "housing"),
    Leaf("heating-fee", "供暖", "供暖收费", "housing"),
    Leaf("heating-leak", "供暖", "暖气漏水", "housing"),
    # 交通
    Leaf("bus-route", "交通", "公交线路", "transport"),
    Leaf("taxi", "交通", "出租车网约车", "transport"),
    Leaf("illegal-parking", "交通", "违章停车", "police"),
    Leaf("traffic-signal", "交通", "交通信号与拥堵", "police"),
    # 市场监管
    Leaf("food-safety", "市场监管", "食品安全", "market"),
    Leaf("price", "市场监管", "价格收费", "market"),
    Leaf("consumer-dispute", "市场监管", "消费纠纷", "market"),
    Leaf("elevator", "市场监管", "电梯安全", "market"),
    Leaf("unlicensed", "市场监管", "无照经营与假冒", "market"),
    # 劳动保障
    Leaf("wage-arrears", "劳动保障", "欠薪", "hrss"),
    Leaf("social-insurance", "劳动保障", "社会保险", "hrss"),
    Leaf("labour-contract", "劳动保障", "劳动合同", "hrss"),
    Leaf("employment", "劳动保障", "就业创业", "hrss"),
    # 卫生与医保
    Leaf("medical-service", "卫生健康", "医疗服务", "health"),
    Leaf("medical-insurance", "卫生健康", "医保报销", "medical-security"),
    # 生态环境
    Leaf("industrial-pollution", "生态环境", "工业污染", "ecology"),
    # 公安
    Leaf("neighbour-noise", "公安", "生活噪音扰民", "police"),
    Leaf("household-registration", "公安", "户籍证件", "police"),
    Leaf("public-security", "公安", "治安诈骗", "police"),
    # 教育
    Leaf("school", "教育", "学校与培训", "education"),
    # 民政
    Leaf("elderly-care", "民政", "养老服务", "civil-affairs"),
    Leaf("social-assistance", "民政", "低保救助", "civil-affairs"),
    # 消防
    Leaf("fire-exit", "消防", "消防通道堵塞", "fire"),
    Leaf("fire-hazard", "消防", "消防隐患", "fire"),
    # 营商环境与政务服务
    Leaf("gov-service", "营商环境", "政务服务", "business-env"),
    Leaf("business-env", "营商环境", "涉企诉求", "business-env"),
    # 其他部门
    Leaf("tax", "税务", "税务发票", "tax"),
    Leaf("tourism", "文化旅游", "旅游市场", "culture-tourism"),
    Leaf("veterans", "退役军人", "退役军人服务", "veterans"),
    Leaf("disability", "残疾人", "残疾人服务", "disabled-fed"),
    Leaf("work-safety", "应急管理", "安全生产", "emergency"),
    Leaf("tobacco", "烟草", "烟草专卖", "tobacco"),
    Leaf("land-use", "自然资源", "违法占地", "natural-resources"),
    Leaf("legal-aid", "司法", "法律援助", "justice"),
    Leaf("commerce", "商务", "商贸流通与预付卡", "commerce"),
    Leaf("public-pricing", "发展改革", "公用事业定价", "development-reform"),
)
BY_CODE = {leaf.code: leaf for leaf in LEAVES}


def ensure_loaded() -> int:
    """Write the default leaves that are not there yet (an edited row is kept). Returns the
    number written. Cheap when loaded: one query."""
    from .models import Subject

    have = set(Subject.objects.values_list("code", flat=True))
    missing = [Subject(code=leaf.code, group=leaf.group, name=leaf.name, department_kind=leaf.kind, position=i)
               for i, leaf in enumerate(LEAVES) if leaf.code not in have]
    Subject.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)
