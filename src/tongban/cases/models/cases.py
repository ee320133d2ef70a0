"""办件: one application and everything that happens to it.

The case pins what it was filed under — the item version, the implementation, the legal and
promised limits in force that day, the scenario answers and the material list they gave — so
a later change of the catalogue never changes a filed case. Its legal clock is the list of
`CaseClockEvent` rows; the reading (days used, deadline, state) is recomputed from them with
`tongban.core.clock` every time. The `deadline` columns are only a cache for sorting the queue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tongban.catalog.models.items import ReadableJSONEncoder
from tongban.core.clock import EventKind
from tongban.identity.constants import Role
from tongban.identity.scoping import Scope, ScopedQuerySet

from ..constants import Channel, NoticeKind, PromiseOutcome, Provision, Status

SUPERVISION_ROLES = frozenset({Role.SUPERVISOR})


class CaseQuerySet(ScopedQuerySet):
    def open(self) -> CaseQuerySet:
        from ..constants import OPEN

        return self.filter(status__in=sorted(OPEN))


class Case(models.Model):
    number = models.CharField("办件编号", max_length=40, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name="一件事主办件")
    bundle = models.ForeignKey("catalog.Bundle", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="cases", verbose_name="一件事")
    item = models.ForeignKey("catalog.ServiceItem", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="cases", verbose_name="事项")
    item_version = models.ForeignKey("catalog.ItemVersion", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="cases", verbose_name="受理所依据的事项版本")
    implementation = models.ForeignKey("catalog.ItemImplementation", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="cases", verbose_name="实施清单")
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="cases",
                               verbose_name="办理区划")
    department = models.ForeignKey("identity.Department", on_delete=models.PROTECT, related_name="cases",
                                   verbose_name="办理部门")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases",
                                  verbose_name="申请人")
    on_behalf_of = models.ForeignKey("identity.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="cases", verbose_name="代表企业")
    channel = models.CharField("申请渠道", max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="cases_filed", verbose_name="代办窗口人员")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.SUBMITTED,
                              db_index=True)
    answers = models.JSONField("情形答案", default=dict, blank=True, encoder=ReadableJSONEncoder)
    form = models.JSONField("申请表", default=dict, blank=True, encoder=ReadableJSONEncoder)
    lock_version = models.PositiveIntegerField("乐观锁版本", default=0)
    # the BPMN workflow's saved state and the digest of the process it runs (tongban.cases.process)
    process_state = models.TextField("流程状态", blank=True, default="")
    process_digest = models.CharField("流程摘要", max_length=64, blank=True, default="")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="cases_assigned", verbose_name="承办人")
    # The limits in force on the day of filing (RULES: the value in force when filed applies).
    legal_days = models.PositiveSmallIntegerField("法定办结时限", default=0)
    legal_days_unit = models.CharField("法定时限单位", max_length=10, default="working")
    promised_days = models.PositiveSmallIntegerField("承诺办结时限（工作日）", default=0)
    # Caches for sorting and filtering the queue; the truth is the clock events.
    deadline = models.DateField("法定期限（缓存）", null=True, blank=True, db_index=True)
    promised_deadline = models.DateField("承诺期限（缓存）", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间")
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    decision_reason = models.TextField("决定理由", blank=True)
    decision_basis = models.CharField("决定依据", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # the statistics cache reads the newest

    objects = CaseQuerySet.as_manager()
    # Supervisors oversee cases; editors and hotline operators have no business reading them.
    scope = Scope(department="department", region="region", owner="applicant", region_roles=SUPERVISION_ROLES)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["department", "status", "deadline"]),
            models.Index(fields=["applicant", "-submitted_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(item__isnull=False) | Q(bundle__isnull=False),
                                   name="case_has_item_or_bundle"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_bundle_parent(self) -> bool:
        return self.item_id is None and self.bundle_id is not None


class CaseNumberCounter(models.Model):
    """The last sequence number handed out per region and day (`210202-20260316-000042`)."""

    region = models.CharField(max_length=12)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "办件编号计数器"
        verbose_name_plural = "办件编号计数器"
        constraints = [models.UniqueConstraint(fields=["region", "day"], name="case_counter_unique")]


class CaseMaterial(models.Model):
    """One material of the case's list (pinned from the item version and the answers)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("材料名称", max_length=200)
    material_type = models.ForeignKey("catalog.MaterialType", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="材料类型")
    source = models.CharField("来源", max_length=12)
    licence_type = models.CharField("证照类型", max_length=20, blank=True)
    required = models.BooleanField("必要", default=True)
    conditional = models.BooleanField("视情形提交", default=False)
    tolerable = models.BooleanField("可容缺", default=False)
    provision = models.CharField("提供方式", max_length=10, choices=Provision.choices, default=Provision.MISSING)
    licence_number = models.CharField("调取的证照编号", max_length=60, blank=True)
    reused_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="复用自")
    reference = models.CharField("文件引用", max_length=200, blank=True)
    confirmed = models.BooleanField("已经审核确认", default=False)
    correction_requested = models.BooleanField("需补正", default=False)
    corrected = models.BooleanField("已补正", default=False)

    class Meta:
        verbose_name = "办件材料"
        verbose_name_plural = "办件材料"
        ordering = ["case", "position"]
        constraints = [models.UniqueConstraint(fields=["case", "name"], name="case_material_name_unique")]

    def __str__(self) -> str:
        return self.name


class CaseStep(models.Model):
    """The timeline: who did what, when, and what the case became."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_label = models.CharField("办理人", max_length=100, blank=True)
    action = models.CharField("环节", max_length=30)
    status = models.CharField("办理后状态", max_length=12, choices=Status.choices)
    note = models.TextField("意见", blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=ReadableJSONEncoder)

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["case", "at", "id"]


class CaseClockEvent(models.Model):
    """A start, pause, resume or stop of the case's legal clock (R5–R7), on a day."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clock_events")
    kind = models.CharField(max_length=6, choices=[(k.value, k.value) for k in EventKind])
    on = models.DateField("日期")
    at = models.DateTimeField("记录时间")
    reason = models.CharField("原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "时限事件"
        verbose_name_plural = "时限事件"
        ordering = ["case", "on", "id"]


class CorrectionRequest(models.Model):
    """补正通知 (R9): the first lists every problem; a later one may name only materials of
    the first."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrections")
    sequence = models.PositiveSmallIntegerField("第几次")
    materials = models.JSONField("需补正的材料", default=list, encoder=ReadableJSONEncoder)
    reason = models.TextField("补正理由")
    sent_at = models.DateTimeField("发出时间")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    during_review = models.BooleanField("受理后补正（暂停时限）", default=False)
    completed_at = models.DateTimeField("补正完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "补正通知"
        verbose_name_plural = "补正通知"
        ordering = ["case", "sequence"]
        constraints = [models.UniqueConstraint(fields=["case", "sequence"], name="correction_sequence_unique")]


class CasePromise(models.Model):
    """容缺受理承诺 (R10): the tolerable materials the applicant promises to supply, and by when."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="promise")
    materials = models.JSONField("承诺后补的材料", default=list, encoder=ReadableJSONEncoder)
    days = models.PositiveSmallIntegerField("承诺期限（工作日）")
    outcome = models.CharField("逾期后果", max_length=10, choices=PromiseOutcome.choices,
                               default=PromiseOutcome.SUSPENDED)
    signed_via = models.CharField("签署方式", max_length=10, default="online",
                                  help_text="online（短信验证码签署）或 paper（窗口纸质签署）")
    signed_at = models.DateTimeField("签署时间")
    sms_verified = models.BooleanField("短信验证码已核验", default=False)
    due = models.DateField("补交期限", null=True, blank=True)
    fulfilled_at = models.DateTimeField("已补齐", null=True, blank=True)
    broken_at = models.DateTimeField("逾期未补", null=True, blank=True)

    class Meta:
        verbose_name = "容缺承诺"
        verbose_name_plural = "容缺承诺"


class CaseNotice(models.Model):
    """A formal notice of the case (文书). Text for now; the PDF rendering comes later."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField("文书类型", max_length=12, choices=NoticeKind.choices)
    title = models.CharField("标题", max_length=100)
    text = models.TextField("正文")
    issued_at = models.DateTimeField("出具时间")

    class Meta:
        verbose_name = "办件文书"
        verbose_name_plural = "办件文书"
        ordering = ["case", "issued_at", "id"]
