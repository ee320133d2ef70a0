"""The catalogue's vocabularies (from `meta.enums` of the reference data) and the split
between standard elements (defined once, city-wide) and local elements (per implementation)."""

from __future__ import annotations

from django.db import models


class ItemType(models.TextChoices):
    LICENSING = "行政许可", "行政许可"
    CONFIRMATION = "行政确认", "行政确认"
    BENEFIT = "行政给付", "行政给付"
    INSPECTION = "行政检查", "行政检查"
    LEVY = "行政征收", "行政征收"
    AWARD = "行政奖励", "行政奖励"
    ADJUDICATION = "行政裁决", "行政裁决"
    OTHER_POWER = "其他行政权力", "其他行政权力"
    PUBLIC_SERVICE = "公共服务", "公共服务"


ITEM_TYPE_CODES = {
    "行政许可": "XK", "行政确认": "QR", "行政给付": "GF", "行政检查": "JC", "行政征收": "ZS",
    "行政奖励": "JL", "行政裁决": "CJ", "其他行政权力": "QT", "公共服务": "GG",
}


class Level(models.TextChoices):
    CITY = "city", "市级"
    DISTRICT = "district", "区县级"


class Audience(models.TextChoices):
    PERSON = "person", "自然人"
    ENTERPRISE = "enterprise", "法人"
    BOTH = "both", "自然人和法人"


class OnlineDepth(models.TextChoices):
    FULL = "全程网办", "全程网办"
    PRE_REVIEW = "网上预审", "网上预审"
    ONE_VISIT = "到现场一次", "到现场一次"
    VISITS = "到现场多次", "到现场多次"


class DaysUnit(models.TextChoices):
    WORKING = "working", "工作日"
    CALENDAR = "calendar", "日"  # RULES R6: 日 without 工作 are calendar days


class HolderType(models.TextChoices):
    PERSON = "person", "自然人"
    ENTERPRISE = "enterprise", "法人"
    BOTH = "both", "自然人和法人"


class Source(models.TextChoices):
    APPLICANT = "applicant", "申请人提交"
    LICENCE = "licence", "电子证照调取"
    FORM = "form", "在线填写"
    DEPARTMENT = "department", "部门共享"


class Media(models.TextChoices):
    ELECTRONIC = "electronic", "电子"
    PAPER = "paper", "纸质"
    BOTH = "both", "纸质或电子"


PERSON_STAGES = {"birth": "出生", "education": "上学", "work": "就业", "marriage": "婚育",
                 "housing": "置业", "retirement": "退休", "death": "身后", "other": "其他"}
ENTERPRISE_STAGES = {"start": "开办", "operate": "经营", "change": "变更", "close": "注销"}
LIFE_STAGES = {**PERSON_STAGES, **ENTERPRISE_STAGES}

THEMES = (
    "生育收养", "户籍办理", "民族宗教", "教育科研", "入伍服役", "就业创业", "婚姻登记", "优待抚恤",
    "住房保障", "社会保障", "证件办理", "交通出行", "出境入境", "医疗卫生", "退休养老", "死亡殡葬",
    "残疾人", "社会救助", "司法公证", "公用事业", "职业资格", "设立变更", "准营准办", "年检年审",
    "资质认证", "税收财务", "人力资源", "投资审批", "建设工程", "环保绿化", "文化体育", "交通运输",
    "安全生产", "公安消防", "商务贸易", "破产注销", "食品药品", "抵押质押",
)

# Special lists (A3). The first five are flags an editor sets; the last two are computed
# from the materials and can never be set by hand.
FLAG_LISTS = ("全程网办", "即来即办", "秒批秒办", "跨省通办", "最多跑一次")
TOLERANT = "容缺受理"
NO_SUBMISSION = "免提交"
COMPUTED_LISTS = (TOLERANT, NO_SUBMISSION)
ALL_LISTS = FLAG_LISTS + COMPUTED_LISTS

PROCESS_STEPS = ("申请", "受理", "审查", "现场核查", "专家评审", "公示", "决定", "制证", "送达")
UNCOUNTABLE_STEPS = ("现场核查", "专家评审", "公示")  # RULES R7
ON_SITE_STEPS = ("现场核查",)
STEP_ROLES = {
    "申请": "申请人", "受理": "窗口人员", "审查": "审批人员", "现场核查": "审批人员",
    "专家评审": "评审专家", "公示": "审批部门", "决定": "部门负责人", "制证": "审批人员", "送达": "窗口人员",
}

# Standard elements: what "same item, same name, same code, same standard" fixes city-wide.
# Publishing a version changes them; an implementation can never touch them.
STANDARD_ELEMENTS = {
    "name": "事项名称",
    "type": "事项类型",
    "department": "主管部门",
    "level": "实施层级",
    "audience": "服务对象",
    "themes": "主题",
    "life_stage": "生命周期阶段",
    "online_depth": "网办深度",
    "lists": "特色清单",
    "legal_days": "法定办结时限",
    "legal_days_unit": "法定时限单位",
    "fee_standard": "收费标准",
    "basis": "设定依据",
    "conditions": "受理条件",
    "condition_rules": "受理条件（规则）",
    "audit_criteria": "审核准则",
    "process": "办理流程",
    "departments_parallel": "并联审批部门",
    "outputs": "办理结果（证照）",
    "keywords": "关键词",
    "faq": "常见问题",
    "form_fields": "申请表字段",
    "process_bpmn": "自定义办理流程（BPMN）",
    "materials": "申请材料",
    "questions": "情形引导问题",
}
# Names the public also knows these by (Excel headers, diff labels).
STANDARD_ALIASES = {"code": "事项编码", "uncounted_steps": "不计时环节", "promised_days_max": "承诺时限"}

# Local elements of an implementation (实施清单).
LOCAL_FIELDS = {
    "place": "办理地点",
    "window": "办理窗口",
    "hours": "办理时间",
    "phone": "咨询电话",
    "consultation": "咨询方式",
    "complaint": "投诉渠道",
    "fee": "收费（实际执行）",
    "promised_days": "承诺办结时限",
    "online_url": "网上办理地址",
    "notes": "其他说明",
}

MAX_PAGE_SIZE = 100
DEFAULT_REGION = "210200"  # the city: where items are defined and the default guide is shown
