"""Named values of disclosure: requester types (R18), reply types (R17), request states and
actions, the standard 政府信息公开目录 columns."""

from django.db import models

FEE_MONTHLY_REQUESTS = 10  # 国办函〔2020〕109号: over 10 requests a month by one requester …
FEE_PAGES = 30  # … or over 30 pages for one request (both configurable in settings)
CORRECTION_WINDOW_DAYS = 7  # R15: the correction notice goes out within 7 working days of receipt
ANSWER_DAYS = 20  # R14
MAX_EXTENSION_DAYS = 20  # R14
THIRD_PARTY_DAYS = 15  # R16
FEE_PAYMENT_DAYS = 20  # unpaid after 20 working days → not processed
PROACTIVE_DAYS = 20  # R13
CONSULTATION_DAYS = 15  # R20 (calendar days)
CONSULTATION_ENTERPRISE_DAYS = 30  # 优化营商环境条例 art. 62
NORMATIVE_MAX_YEARS = 5  # a normative document's period of validity at most 5 years …
NORMATIVE_PROVISIONAL_MAX_YEARS = 2  # … 2 for 暂行 / 试行 rules
DEFAULT_DEPARTMENT = "business-env"


class RequesterType(models.TextChoices):
    NATURAL_PERSON = "natural_person", "自然人"
    COMMERCIAL = "commercial", "商业企业"
    RESEARCH = "research", "科研机构"
    SOCIAL_WELFARE = "social_welfare", "社会公益组织"
    LEGAL_SERVICES = "legal_services", "法律服务机构"
    OTHER = "other", "其他"


class Delivery(models.TextChoices):
    ONLINE = "online", "网上获取"
    POST = "post", "邮寄"
    PICKUP = "pickup", "当面领取"


class State(models.TextChoices):
    PROCESSING = "processing", "办理中"
    CORRECTION = "correction", "待补正"
    THIRD_PARTY = "third_party", "征求第三方意见"
    FEE_PENDING = "fee_pending", "待缴纳信息处理费"
    REPLIED = "replied", "已答复"
    WITHDRAWN = "withdrawn", "已撤回"
    ARCHIVED = "archived", "已归档"


OPEN_STATES = frozenset({State.PROCESSING, State.CORRECTION, State.THIRD_PARTY, State.FEE_PENDING})


class ReplyType(models.TextChoices):
    """R17: the rows of the annual report's table (3)."""

    ALREADY_PUBLIC = "already_public", "予以公开（已主动公开）"
    DISCLOSED = "disclosed", "予以公开"
    PARTLY = "partly", "部分公开"
    NOT_DISCLOSED = "not_disclosed", "不予公开"
    CANNOT_PROVIDE = "cannot_provide", "无法提供"
    NOT_PROCESSED = "not_processed", "不予处理"
    OTHER = "other", "其他处理"


NOT_DISCLOSED_REASONS = {
    "state_secret": "属于国家秘密",
    "law_forbidden": "其他法律行政法规禁止公开",
    "security": "危及“三安全一稳定”",
    "third_party": "保护第三方合法权益",
    "internal": "属于三类内部事务信息",
    "process": "属于四类过程性信息",
    "enforcement": "属于行政执法案卷",
    "query": "属于行政查询事项",
}
CANNOT_PROVIDE_REASONS = {
    "not_held": "本机关不掌握相关政府信息",
    "needs_creating": "没有现成信息需要另行制作",
    "unclear": "补正后申请内容仍不明确",
}
NOT_PROCESSED_REASONS = {
    "petition": "信访举报投诉类申请",
    "repeated": "重复申请",
    "publication": "要求提供公开出版物",
    "excessive": "无正当理由大量反复申请",
    "reissue": "要求行政机关确认或重新出具已获取信息",
}
REASONS = {
    ReplyType.NOT_DISCLOSED: NOT_DISCLOSED_REASONS,
    ReplyType.CANNOT_PROVIDE: CANNOT_PROVIDE_REASONS,
    ReplyType.NOT_PROCESSED: NOT_PROCESSED_REASONS,
}


class Action(models.TextChoices):
    REQUEST_CORRECTION = "request-correction", "告知补正"
    SUBMIT_CORRECTION = "submit-correction", "提交补正"
    CONSULT_THIRD_PARTY = "consult-third-party", "征求第三方意见"
    THIRD_PARTY_REPLIED = "third-party-replied", "第三方意见已收到"
    EXTEND = "extend", "延长答复期限"
    FEE_NOTICE = "fee-notice", "收费通知"
    FEE_PAID = "fee-paid", "信息处理费已缴纳"
    REPLY = "reply", "答复"
    ARCHIVE = "archive", "归档"
    WITHDRAW = "withdraw", "撤回申请"


REQUESTER_ACTIONS = frozenset({Action.SUBMIT_CORRECTION, Action.WITHDRAW})


class Validity(models.TextChoices):
    VALID = "valid", "有效"
    EXPIRED = "expired", "失效"
    REPEALED = "repealed", "废止"
    AMENDED = "amended", "修订"


class InterpretationKind(models.TextChoices):
    TEXT = "text", "文字解读"
    CHART = "chart", "图表解读"
    VIDEO = "video", "视频解读"


class CommentStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已采纳展示"
    REJECTED = "rejected", "不予展示"


class Adoption(models.TextChoices):
    ADOPTED = "adopted", "采纳"
    PARTLY = "partly", "部分采纳"
    NOT_ADOPTED = "not_adopted", "不予采纳"


# 政府信息公开目录: (slug, title, children)
DIRECTORY = [
    ("zcwj", "政策文件", []),
    ("zcjd", "政策解读", []),
    ("zfhy", "政府会议", []),
    ("yjzj", "意见征集", []),
    ("jytabl", "建议提案办理", []),
    (
        "zdly",
        "重点领域",
        [
            ("zdxm", "重大项目"),
            ("ggzypz", "公共资源配置"),
            ("shgysy", "社会公益事业"),
            ("czyjs", "财政预决算"),
            ("sgjf", "三公经费"),
        ],
    ),
    ("zfgzbg", "政府工作报告执行", []),
    ("rsxx", "人事信息", []),
    ("ghjh", "规划计划", []),
    ("tjxx", "统计信息", []),
    ("ysqgk", "依申请公开", []),
    ("ndbg", "年度报告", []),
]


# --- the message box (留言) ------------------------------------------------------------------------
MESSAGE_TITLE_MAX = 60
MESSAGE_TEXT_MIN = 10
MESSAGE_TEXT_MAX = 2000
ANSWER_TEXT_MAX = 4000
MESSAGES_PER_HOUR = 3  # one account on all sites: more is refused (429-like 409 with the wait)
MESSAGES_PER_DAY = 10


class MessageStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    PUBLISHED = "published", "已公开"
    HIDDEN = "hidden", "不予公开"


class MessageAction(models.TextChoices):
    PUBLISH = "publish", "公开"
    HIDE = "hide", "不予公开"
    ANSWER = "answer", "答复"


# --- site health (R23) ----------------------------------------------------------------------------
# A column type's update period (政府网站发展指引 and the inspection indicators): news 2 weeks,
# notices and policies 6 months, personnel and planning 1 year. (weeks, months)
COLUMN_PERIODS: dict[str, tuple[int, int]] = {
    "news": (2, 0),  # 新闻、要闻
    "zwdt": (2, 0),  # 政务动态
    "tzgg": (0, 6),  # 通知公告
    "zcwj": (0, 6),  # 政策文件
    "zcjd": (0, 6),  # 政策解读
    "rsxx": (0, 12),  # 人事信息
    "ghjh": (0, 12),  # 规划计划
}
HOME_PERIOD_WEEKS = 2  # the site's home page (its newest item anywhere)
EMPTY_COLUMNS_LIMIT = 5  # more than 5 empty columns fails the inspection
UNANSWERED_MONTHS = 3
EXTERNAL_LINKS_MAX = 50  # per site and run: the check stays bounded
EXTERNAL_TIMEOUT = 5.0  # seconds per link


class HealthCheck(models.TextChoices):
    HOME_STALE = "home_stale", "首页长期未更新"
    STALE_COLUMN = "stale_column", "栏目未按期更新"
    EMPTY_COLUMN = "empty_column", "空白栏目超过5个"
    UNANSWERED = "unanswered", "留言超过3个月未答复"
    BROKEN_LINK = "broken_link", "站内链接失效"
    BROKEN_ATTACHMENT = "broken_attachment", "附件失效"
    EXTERNAL_LINK = "external_link", "外部链接不可访问"
