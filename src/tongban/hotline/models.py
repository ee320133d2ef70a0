"""Models of hotline: the subject taxonomy, routing rules, tickets with their steps, the
daily number counter and Open311 client applications."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from tongban.identity.constants import DEPARTMENT_ROLES, Role
from tongban.identity.models import Department, Region
from tongban.identity.scoping import Scope, ScopedQuerySet, grants_of, scope_filter

from .constants import OPEN_STATUSES, Category, Channel, ResultType, Status, UrgingLevel, UrgingState, UrgingTrigger


class Subject(models.Model):
    """A leaf of the two-level taxonomy (group / name); `code` is the Open311 service_code."""

    code = models.SlugField("编码", max_length=40, primary_key=True)
    group = models.CharField("一级分类", max_length=20)
    name = models.CharField("二级分类", max_length=40)
    department_kind = models.CharField("承办部门类别（市级部门标识）", max_length=40)
    active = models.BooleanField("启用", default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "诉求分类"
        verbose_name_plural = "诉求分类"
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.group}/{self.name}"


class RoutingRule(models.Model):
    """An editable keyword routing rule: it wins over the model when its keywords (all of
    one line, comma-separated) or its regex match, the ticket is in its region and the rule is valid."""

    name = models.CharField("规则名称", max_length=60, unique=True)
    keywords = models.TextField("关键词（每行一组，组内逗号分隔须全部出现）", blank=True)
    pattern = models.CharField("正则表达式", max_length=300, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    department_kind = models.CharField("承办部门类别", max_length=40, blank=True)
    category = models.CharField("诉求类别", max_length=4, choices=Category.choices, blank=True)
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("失效日期", null=True, blank=True)
    priority = models.IntegerField("优先级", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "派单规则"
        verbose_name_plural = "派单规则"
        ordering = ["-priority", "name"]

    def __str__(self) -> str:
        return self.name


class TicketCounter(models.Model):
    """The last sequence number of a day: numbers are `YYYYMMDD` + 4 digits."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class TicketQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The scope of `Ticket.scope`, plus 联办: a co-department's staff see the tickets their
        department was added to (within their grant's region, like the lead's)."""
        condition = scope_filter(self.model, user)
        if condition is None:
            return self
        for grant in grants_of(user):
            if grant.role in DEPARTMENT_ROLES and grant.department_id:
                co = Exists(CoDepartment.objects.filter(ticket_id=OuterRef("pk"), department_id=grant.department_id))
                condition |= Q(co, region__path__startswith=grant.region_path)
        return self.filter(condition)


class Ticket(models.Model):
    number = models.CharField("工单编号", max_length=16, unique=True)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    category = models.CharField("诉求类别", max_length=4, choices=Category.choices)
    urgent = models.BooleanField("紧急", default=False)
    subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets")
    text = models.TextField("诉求内容")
    address = models.CharField("地址", max_length=200, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    street = models.CharField("街道/路名", max_length=60, blank=True)
    places = models.JSONField("文中地点", default=dict, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    caller_name = models.CharField("来电人", max_length=40, blank=True)
    caller_phone = models.CharField("联系电话", max_length=20, blank=True)
    caller_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="hotline_tickets")
    tracking_secret_hash = models.CharField(max_length=64, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    filed_at = models.DateTimeField("受理时间", db_index=True)
    # None: pending — the limit reaches a year whose working-day calendar is not entered yet (R5)
    deadline = models.DateTimeField("办结时限", null=True, blank=True)
    # db_default: rows written by bulk loaders (bench) that do not name the column
    deadline_plan = models.JSONField("办结时限的构成（受理时限、延期、重办）", default=list, blank=True,
                                     db_default=models.Value([], output_field=models.JSONField()))
    first_deadline = models.DateTimeField("受理时的办结时限（不含延期）", null=True, blank=True)
    policy = models.JSONField("受理时适用的时限规定", default=dict)
    suggestion = models.JSONField("分类建议", default=dict, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="hotline_tickets")
    last_department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dispatched_at = models.DateTimeField(null=True, blank=True)
    returned_count = models.PositiveSmallIntegerField(default=0)
    extension_requested = models.JSONField(null=True, blank=True)
    reply_text = models.TextField("答复", blank=True)
    result_type = models.CharField("办理结果", max_length=12, choices=ResultType.choices, blank=True)
    reply_flags = models.JSONField("答复质量提示", default=list, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)
    callback = models.JSONField("回访结果", null=True, blank=True)
    escalated = models.BooleanField("转监督（二次不满意）", default=False)
    master = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates")
    article_version = models.ForeignKey("ArticleVersion", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="tickets", verbose_name="答复所用知识库文章版本")
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = TicketQuerySet.as_manager()
    scope = Scope(department="department", region="region", owner="caller_user")

    class Meta:
        verbose_name = "工单"
        verbose_name_plural = "工单"
        ordering = ["-filed_at"]
        indexes = [models.Index(fields=["status", "filed_at"]), models.Index(fields=["caller_phone", "filed_at"]),
                   models.Index(fields=["department", "status"]),
                   # the staff queue: one status, nearest deadline first (pending ones last), a page at a time
                   models.Index(fields=["status", "deadline", "id"], name="hotline_ticket_queue"),
                   # the duplicate search: open tickets of related subjects filed in the window
                   models.Index(fields=["subject", "filed_at"], condition=Q(status__in=OPEN_STATUSES),
                                name="hotline_ticket_open_subject")]

    def __str__(self) -> str:
        return self.number

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()


class CoDepartment(models.Model):
    """联办: a department handling its part of a ticket beside the lead (`Ticket.department`).
    Added with a reason by the centre or the lead department; it answers once; the lead cannot
    reply (and so close) until every co-department has answered."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="co_departments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="联办部门")
    reason = models.TextField("联办事由")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField()
    reply_text = models.TextField("联办答复", blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "联办部门"
        verbose_name_plural = "联办部门"
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "department"], name="hotline_codepartment_once")]
        indexes = [models.Index(fields=["department", "ticket"])]


class TicketStep(models.Model):
    """One step of a ticket's history (filed, dispatched, signed, returned, replied …)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]


class Open311Client(models.Model):
    """A registered application allowed to POST service requests (api_key stored hashed)."""

    name = models.CharField(max_length=80, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Open311 应用"
        verbose_name_plural = "Open311 应用"

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


# --- knowledge base ------------------------------------------------------------------------------

class ArticleSource(models.TextChoices):
    GUIDE = "guide", "办事指南"
    POLICY = "policy", "政策文件"
    DEPARTMENT = "department", "部门答复口径"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "待审核"
    PUBLISHED = "published", "已发布"
    REJECTED = "rejected", "未通过"
    SUPERSEDED = "superseded", "已被新版本取代"


class Article(models.Model):
    """A knowledge-base article (知识库): its identity; the words live in `ArticleVersion`s.
    `current` is the published version in force (None until one is approved)."""

    subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="articles")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    current = models.ForeignKey("ArticleVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    retired = models.BooleanField("已停用", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "知识库文章"
        verbose_name_plural = "知识库文章"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"知识库 {self.pk}"


class ArticleVersion(models.Model):
    """One immutable wording of an article: drafted by one person, published by another
    (four eyes); a ticket answered from it keeps this row."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    title = models.CharField("标题（常见问题）", max_length=120)
    answer = models.TextField("答复口径")
    keywords = models.CharField("关键词", max_length=300, blank=True)
    source_kind = models.CharField("来源", max_length=12, choices=ArticleSource.choices)
    source_ref = models.CharField("来源出处（事项编码、文号或部门）", max_length=200)
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    review_note = models.CharField("审核意见", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "知识库文章版本"
        verbose_name_plural = "知识库文章版本"
        ordering = ["article_id", "number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="hotline_article_version_unique")]

    def __str__(self) -> str:
        return f"{self.title}（第{self.number}版）"

    def valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


# --- attachments, callback links, exposure, statistics ----------------------------------------------

class TicketAttachment(models.Model):
    """A file attached to a ticket, typed by its content (`core.uploads.store`)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    storage_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=8)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]


class CallbackLink(models.Model):
    """A one-time SMS callback link (回访短信链接): the token is kept hashed; one per closure."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="callback_links")
    token_hash = models.CharField(max_length=64, unique=True)
    closure = models.PositiveSmallIntegerField(default=0)  # the ticket's reopened_count when sent
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class ExposureStatus(models.TextChoices):
    PUBLISHED = "published", "已曝光"
    CORRECTED = "corrected", "已整改"
    WITHDRAWN = "withdrawn", "已撤下"


class Exposure(models.Model):
    """A problem published on the portal (曝光纠错): a snapshot of public facts only
    (department, subject, street, days open) and the centre's checked summary; later the
    correction."""

    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="exposure")
    reason = models.CharField("入选原因", max_length=20)  # overdue | unsatisfied
    department_name = models.CharField(max_length=100)
    subject_name = models.CharField(max_length=60)
    region_name = models.CharField(max_length=60)
    street = models.CharField(max_length=60, blank=True)
    days_open = models.PositiveIntegerField()
    summary = models.TextField("曝光内容")
    correction = models.TextField("整改情况", blank=True)
    status = models.CharField(max_length=12, choices=ExposureStatus.choices, default=ExposureStatus.PUBLISHED)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField()
    corrected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "曝光纠错"
        verbose_name_plural = "曝光纠错"
        ordering = ["-published_at"]


class DailyTicketStat(models.Model):
    """Daily summary of the tickets filed on `day` (their state when last refreshed), per
    region, department, subject and category: the dashboard reads these plus today live."""

    day = models.DateField(db_index=True)
    region = models.CharField(max_length=12)
    department = models.CharField(max_length=40, blank=True)
    subject = models.CharField(max_length=40, blank=True)
    category = models.CharField(max_length=4)
    filed = models.PositiveIntegerField(default=0)
    problems = models.PositiveIntegerField(default=0)  # not a linked duplicate (filed = calls)
    closed = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)  # closed by the deadline from filing, never reopened
    returned = models.PositiveIntegerField(default=0)
    rerouted = models.PositiveIntegerField(default=0)
    extended = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    first_time = models.PositiveIntegerField(default=0)  # closed, never returned, rerouted, sent back or reopened
    callbacks = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)  # levels 3–5 (R26)
    unsatisfied = models.PositiveIntegerField(default=0)
    unreachable = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "region"])]


class MonthlyTicketStat(models.Model):
    """Monthly summary of a closed month (its last day summarised): the daily rows of the month
    summed per region, department, subject and category, rebuilt whenever one of its days is.
    A year's dashboard reads these for past months and the daily rows (plus today live) for the
    current one. Counts only: rates are computed from summed numerators and denominators."""

    month = models.DateField(db_index=True)  # the first day of the month
    region = models.CharField(max_length=12)
    department = models.CharField(max_length=40, blank=True)
    subject = models.CharField(max_length=40, blank=True)
    category = models.CharField(max_length=4)
    filed = models.PositiveIntegerField(default=0)
    problems = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    rerouted = models.PositiveIntegerField(default=0)
    extended = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    first_time = models.PositiveIntegerField(default=0)
    callbacks = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)
    unreachable = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month", "region"])]


class StatsMark(models.Model):
    """Watermark of a summary job: `daily` (days summarised through) and `monthly` (the last
    day of the last closed month summarised)."""

    name = models.CharField(max_length=20, primary_key=True)
    summarised_through = models.DateField(null=True)
    changes_since = models.DateTimeField(null=True)


# --- urging (督办) --------------------------------------------------------------------------------

class Urging(models.Model):
    """One urging of a department about one object: a hotline ticket, or anything else another
    app names by kind and number (oversight urges cases: `target_kind="case"`) — no foreign key,
    so hotline never imports the apps that use it. Open until the department replies; past its
    reply deadline unanswered it is overdue and escalates to the next level (`escalation`)."""

    target_kind = models.CharField("督办对象类别", max_length=20)
    target_number = models.CharField("督办对象编号", max_length=40)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="被督办部门")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    level = models.CharField("级别", max_length=4, choices=UrgingLevel.choices)
    trigger = models.CharField("来源", max_length=12, choices=UrgingTrigger.choices, default=UrgingTrigger.MANUAL)
    reason = models.TextField("督办事由")
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="escalation", verbose_name="由此升级")
    reply_days = models.PositiveSmallIntegerField("回复时限（工作日）")
    # None: pending — the reply deadline reaches a year whose calendar is not entered yet (R5)
    reply_due = models.DateTimeField("回复期限", null=True, blank=True)
    state = models.CharField("状态", max_length=8, choices=UrgingState.choices, default=UrgingState.OPEN)
    reply_text = models.TextField("部门回复", blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    replied_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()
    scope = Scope(department="department", region="region",
                  region_roles=frozenset({Role.SUPERVISOR, Role.HOTLINE_OPERATOR}))

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_kind", "target_number"]),
                   models.Index(fields=["department", "state"]), models.Index(fields=["state", "reply_due"])]
        constraints = [models.UniqueConstraint(
            fields=["target_kind", "target_number", "trigger"], condition=Q(trigger__in=["warning", "overdue"]),
            name="hotline_urging_one_automatic_per_trigger"),
            # urge(automatic=True), e.g. oversight's scan: one open urging per object and level
            models.UniqueConstraint(
                fields=["target_kind", "target_number", "level"], condition=Q(trigger="automatic", state="open"),
                name="hotline_urging_one_open_automatic_per_level")]

    def __str__(self) -> str:
        return f"{self.level} {self.target_kind} {self.target_number}"
