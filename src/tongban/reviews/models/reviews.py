"""好差评 (R26): a review belongs to exactly one service event — a case, a hotline ticket or a
window visit without a case — through explicit nullable foreign keys and a check constraint,
never a generic relation. A hotline caller is often an anonymous phone caller: the reviewer is
then empty and only the caller's phone is kept, masked for display and as a keyed hash."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models import Q

from tongban.identity.constants import Role
from tongban.identity.scoping import Scope, ScopedQuerySet

from ..constants import Channel, InvitationKind, Level

SUPERVISION_ROLES = frozenset({Role.SUPERVISOR})

# exactly one of the three service events (R26)
ONE_EVENT = (Q(case__isnull=False, visit__isnull=True, ticket__isnull=True)
             | Q(case__isnull=True, visit__isnull=False, ticket__isnull=True)
             | Q(case__isnull=True, visit__isnull=True, ticket__isnull=False))


def phone_digest(phone: str | None) -> str:
    """A keyed hash of a caller's phone (HMAC-SHA256 under the secret key: the number space is
    small enough that a plain hash could be reversed by trying every number)."""
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if not digits:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), f"review-phone:{digits}".encode(), hashlib.sha256).hexdigest()


class ReasonTag(models.Model):
    """A reason of the national list, valid for the levels min_level..max_level (editable)."""

    code = models.SlugField("标识", max_length=40, primary_key=True)
    name = models.CharField("名称", max_length=40)
    min_level = models.PositiveSmallIntegerField("适用最低等级", choices=Level.choices)
    max_level = models.PositiveSmallIntegerField("适用最高等级", choices=Level.choices)
    position = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "评价标签"
        verbose_name_plural = "评价标签"
        ordering = ["-max_level", "position", "code"]
        constraints = [models.CheckConstraint(condition=Q(min_level__lte=models.F("max_level")),
                                              name="reason_tag_level_range")]

    def __str__(self) -> str:
        return self.name

    def fits(self, level: int) -> bool:
        return self.min_level <= level <= self.max_level


class WindowVisit(models.Model):
    """首问登记: a visit to a window, with or without a case that followed (S3 16)."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="window_visits",
                              verbose_name="首问责任人")
    department = models.ForeignKey("identity.Department", on_delete=models.PROTECT, related_name="+",
                                    verbose_name="部门")
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="+", verbose_name="区划")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="visits", verbose_name="来访人（可不登记身份）")
    visitor_name = models.CharField("来访人称呼", max_length=60, blank=True)
    item = models.ForeignKey("catalog.ServiceItem", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name="咨询事项")
    question = models.TextField("咨询内容", blank=True)
    answer = models.TextField("答复内容", blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="visits",
                             verbose_name="后续办件")
    referred_to = models.CharField("引导至", max_length=200, blank=True)
    at = models.DateTimeField("来访时间")

    objects = ScopedQuerySet.as_manager()
    scope = Scope(department="department", region="region", owner="visitor", region_roles=SUPERVISION_ROLES)

    class Meta:
        verbose_name = "首问登记"
        verbose_name_plural = "首问登记"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"首问登记 {self.pk}"


class Review(models.Model):
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="reviews",
                             verbose_name="办件")
    visit = models.ForeignKey(WindowVisit, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews",
                              verbose_name="窗口来访")
    ticket = models.ForeignKey("hotline.Ticket", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="reviews", verbose_name="12345 工单")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="reviews", verbose_name="评价人（匿名来电为空）")
    reviewer_phone_masked = models.CharField("来电人电话（脱敏）", max_length=20, blank=True)
    reviewer_phone_hash = models.CharField("来电人电话（密钥散列）", max_length=64, blank=True, db_index=True)
    level = models.PositiveSmallIntegerField("评价等级", choices=Level.choices)
    tags = models.ManyToManyField(ReasonTag, blank=True, related_name="reviews", verbose_name="评价标签")
    comment = models.TextField("评价内容", blank=True)
    channel = models.CharField("评价渠道", max_length=10, choices=Channel.choices)
    department = models.ForeignKey("identity.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name="被评价部门")
    region = models.ForeignKey("identity.Region", on_delete=models.PROTECT, related_name="+", verbose_name="区划")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="reviews_received", verbose_name="被评价工作人员")
    created_at = models.DateTimeField("评价时间")
    appended = models.TextField("追评", blank=True)
    appended_at = models.DateTimeField("追评时间", null=True, blank=True)
    excluded = models.BooleanField("已剔除（计入剔除数，不删除）", default=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # the statistics cache reads the newest

    objects = ScopedQuerySet.as_manager()
    scope = Scope(department="department", region="region", owner="reviewer", region_roles=SUPERVISION_ROLES)

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["department", "created_at"]), models.Index(fields=["created_at"])]
        constraints = [
            models.CheckConstraint(condition=ONE_EVENT, name="review_exactly_one_event"),
            # only a hotline caller may be anonymous (known by the phone of the ticket)
            models.CheckConstraint(condition=Q(reviewer__isnull=False) | Q(ticket__isnull=False),
                                   name="review_reviewer_unless_ticket"),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=5), name="review_level_1_to_5"),
            models.UniqueConstraint(fields=["case", "reviewer"], condition=Q(case__isnull=False),
                                    name="review_one_per_case_and_reviewer"),
            models.UniqueConstraint(fields=["visit", "reviewer"], condition=Q(visit__isnull=False),
                                    name="review_one_per_visit_and_reviewer"),
            # one review per ticket: the caller is its one reviewer (the callback or the link, never both)
            models.UniqueConstraint(fields=["ticket"], condition=Q(ticket__isnull=False),
                                    name="review_one_per_ticket"),
        ]

    def __str__(self) -> str:
        return f"评价 {self.pk}"

    @property
    def level_words(self) -> str:
        return Level(self.level).label

    @property
    def is_bad(self) -> bool:
        return self.level <= 2


class OneTimeToken(models.Model):
    """A one-time link's token: only its SHA-256 is stored; used once, expiring."""

    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField("失效时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        abstract = True


class ReviewInvitation(OneTimeToken):
    """A one-time token for an SMS link (days) or a window kiosk (minutes), bound to one case or
    visit and its applicant. Only the SHA-256 of the token is stored. (A closed ticket's SMS link
    is the hotline's callback link: its rating becomes the ticket's review, never asked twice.)"""

    kind = models.CharField("方式", max_length=6, choices=InvitationKind.choices)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="review_invitations")
    visit = models.ForeignKey(WindowVisit, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="review_invitations")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                 verbose_name="应邀评价人")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = "评价邀请"
        verbose_name_plural = "评价邀请"
        constraints = [models.CheckConstraint(
            condition=(Q(case__isnull=False) & Q(visit__isnull=True)) | (Q(case__isnull=True)
                                                                         & Q(visit__isnull=False)),
            name="invitation_exactly_one_event")]
