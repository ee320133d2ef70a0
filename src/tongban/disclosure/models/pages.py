"""The disclosure site as Wagtail pages: a site root whose creation lays out the standard
政府信息公开目录 columns, policy documents (GB/T 9704 文号, validity, R13 timeliness) and
consultations (R20). Every page type that publishes text passes the privacy gate (R21): it
cannot go live while the detector finds personal data, unless an officer recorded why it stays."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from tongban.core import privacy
from tongban.core.calendar import add_working_days

from .. import wenhao
from ..constants import (
    CONSULTATION_DAYS,
    CONSULTATION_ENTERPRISE_DAYS,
    NORMATIVE_MAX_YEARS,
    NORMATIVE_PROVISIONAL_MAX_YEARS,
    PROACTIVE_DAYS,
    Adoption,
    CommentStatus,
    InterpretationKind,
    Validity,
)

PRIVACY_FIELD = "privacy_reason"
SCANNED_PDF = "附件PDF没有文字层，无法自动检查个人信息：请由审批人员确认后在“保留理由”中记录"


def privacy_message(findings: list[privacy.Finding]) -> str:
    listed = "；".join(f"{f.label}“{f.masked}”" for f in findings[:5])
    more = f"等{len(findings)}处" if len(findings) > 5 else ""
    return (
        f"发布前隐私检查发现个人信息：{listed}{more}。请删除或隐去（可用“隐私检查”生成带标注的去标识化文本），"
        f"或由审批人员在“保留理由”中记录必须公开的依据（如行政处罚决定公开、法定公开事项）。"
    )


# the form's values the checks before publication need (the form builds its instance only after clean())
COPIED_FOR_CHECKS = (
    "title",
    "body",
    "draft",
    "explanation",
    "normative",
    "issuer",
    "effective_on",
    "expires_on",
    "document",
    "kind",
    "chart",
    "video",
    "video_url",
)


class PrivacyGatedForm(WagtailAdminPageForm):
    """The admin's publish button passes the gate only when the text is clean or a reason is recorded."""

    def clean(self):
        cleaned = super().clean()
        if "action-publish" in self.data or "action-submit" in self.data:
            page = self.instance
            for name in COPIED_FOR_CHECKS:
                if name in cleaned and hasattr(page, name):
                    setattr(page, name, cleaned[name])
            for field, message in page.publication_errors().items():
                self.add_error(field if field in self.fields else None, message)
            findings = page.privacy_findings()
            if findings and not (cleaned.get(PRIVACY_FIELD) or "").strip():
                self.add_error(None, privacy_message(findings))
        return cleaned


class PrivacyGated(models.Model):
    privacy_reason = models.TextField(
        "隐私信息保留理由",
        blank=True,
        help_text="仅当文本中的个人信息依法必须公开时填写（如行政处罚决定），由审批人员记录依据",
    )

    class Meta:
        abstract = True

    def privacy_text(self) -> str:
        return self.title

    def publication_errors(self) -> dict[str, str]:
        """What must hold before the page goes live (beyond the privacy gate), by field."""
        return {}

    def privacy_findings(self) -> list[privacy.Finding]:
        return privacy.scan(self.privacy_text())

    def check_privacy_gate(self) -> None:
        if self.live and not (self.privacy_reason or "").strip():
            findings = self.privacy_findings()
            if findings:
                raise ValidationError({PRIVACY_FIELD: privacy_message(findings)})

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "live" in update_fields:
            self.check_privacy_gate()
        return super().save(*args, **kwargs)


class DisclosureSiteRoot(Page):
    """A disclosure site (城市门户、区、部门): its footer identity (R22) and its directory."""

    organiser = models.CharField("主办单位", max_length=100, blank=True)
    contact = models.CharField("联系方式", max_length=100, blank=True)
    site_code = models.CharField("网站标识码", max_length=20, blank=True)
    department = models.ForeignKey(
        "identity.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="主办部门",
    )
    is_city = models.BooleanField("城市门户", default=False)
    region = models.ForeignKey(
        "identity.Region",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="所属行政区划",
        help_text="留空时取主办部门所在区划，再无则为全市",
    )
    messages_enabled = models.BooleanField("开通网站留言", default=True)
    messages_to_hotline = models.BooleanField(
        "留言转12345热线", default=False, help_text="开启后，每条留言提交时即转为12345工单，工单编号记入留言"
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("organiser"),
        FieldPanel("contact"),
        FieldPanel("site_code"),
        FieldPanel("department"),
        FieldPanel("region"),
        FieldPanel("is_city"),
        MultiFieldPanel([FieldPanel("messages_enabled"), FieldPanel("messages_to_hotline")], "网站留言"),
    ]
    subpage_types = ["disclosure.ColumnPage"]
    template = "disclosure/site_root.html"

    class Meta:
        verbose_name = "政务公开站点"

    def columns(self):
        return ColumnPage.objects.child_of(self).live().order_by("path")

    def group_name(self, role: str = "") -> str:
        """The name of the site's group for `role` (编辑, 审核, 管理员), or with no role of its
        collection: the site's title and id (titles may repeat)."""
        return f"{self.title}（{self.pk}）{role}"

    def region_path(self) -> str:
        """The tree path of the site's region: its own, its department's, else the city's."""
        from tongban.identity.models import Region

        if self.region_id:
            return self.region.path
        if self.department_id and self.department.region_id:
            return self.department.region.path
        root = Region.objects.filter(parent__isnull=True).order_by("pk").values_list("path", flat=True).first()
        return root or ""


class ColumnPage(Page):
    """A column (栏目) of the directory; its type drives the site-health periods (R23)."""

    column_type = models.SlugField("栏目类型", max_length=20, blank=True)
    intro = models.TextField("栏目说明", blank=True)

    content_panels = [*Page.content_panels, FieldPanel("column_type"), FieldPanel("intro")]
    parent_page_types = ["disclosure.DisclosureSiteRoot", "disclosure.ColumnPage"]
    subpage_types = [
        "disclosure.ColumnPage",
        "disclosure.PolicyDocumentPage",
        "disclosure.InterpretationPage",
        "disclosure.ConsultationPage",
    ]
    template = "disclosure/column.html"

    class Meta:
        verbose_name = "公开栏目"

    LISTED = 50

    def listing(self, request) -> list[dict]:
        """The newest LISTED live public children as rows for the column page: title, URL (from the
        request's site root paths, looked up once) and, for policy documents, 文号, 统一登记编号 and
        发布日期 — two queries whatever the page types, and never a document's body or search
        tokens (tens of kilobytes each)."""
        pages = list(self.get_children().live().public().order_by("-first_published_at")
                     .only("title", "url_path", "path", "depth", "first_published_at", "locale_id")[: self.LISTED])
        numbers = {row["pk"]: row for row in PolicyDocumentPage.objects.filter(pk__in=[p.pk for p in pages])
                   .values("pk", "document_number", "registration_number", "published_on")}
        return [{"title": p.title, "url": p.get_url(request), **numbers.get(p.pk, {})} for p in pages]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["children"] = self.listing(request)
        site = DisclosureSiteRoot.objects.ancestor_of(self).values_list("slug", flat=True).first()
        if site:
            context["feed_base"] = f"/disclosure/feeds/{site}/{self.slug}/"
        return context


class PolicyDocumentPage(PrivacyGated, Page):
    index_number = models.CharField("索引号", max_length=60, blank=True, help_text="发布机关统一社会信用代码/年份-序号")
    issuer = models.ForeignKey(
        "identity.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="发布机关",
    )
    issuer_name = models.CharField("发布机关名称", max_length=100, blank=True)
    document_number = models.CharField(
        "文号", max_length=50, blank=True, db_index=True, help_text="如：大政发〔2019〕12号（六角括号，序号不编虚位）"
    )
    written_on = models.DateField("成文日期", null=True, blank=True)
    formed_on = models.DateField("信息形成（变更）日期", null=True, blank=True, help_text="R13：自此20个工作日内公开")
    published_on = models.DateField("发布日期", null=True, blank=True)
    effective_on = models.DateField("生效日期", null=True, blank=True)
    expires_on = models.DateField("失效日期", null=True, blank=True)
    validity = models.CharField("有效性", max_length=10, choices=Validity.choices, default=Validity.VALID)
    replaced_by = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="替代文件"
    )
    normative = models.BooleanField("行政规范性文件", default=False)
    registration_number = models.CharField(
        "统一登记编号", max_length=60, unique=True, null=True, blank=True, editable=False
    )
    registered_on = models.DateField("登记日期", null=True, blank=True, editable=False)
    validity_changed_on = models.DateField("效力变更日期", null=True, blank=True, editable=False)
    topics = models.CharField("主题分类", max_length=200, blank=True, help_text="以顿号或逗号分隔")
    body = RichTextField("正文", blank=True)
    attachment = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="附件（PDF、DOCX）",
    )
    search_tokens = models.TextField(blank=True, editable=False)
    # the title upper-cased beside the tokens, so that both searches run on this table's trigram
    # indexes (migration 0005) and the planner can OR them; see selectors.documents
    search_title = models.CharField(max_length=255, blank=True, editable=False)
    # the disclosure site the document lives in (its nearest DisclosureSiteRoot ancestor), kept on
    # the row so that a search within one site is a range of the (site, newest) index instead of a
    # path prefix on Wagtail's page table; set on save, after a move (apps.py) and by migration 0007
    site = models.ForeignKey(
        "disclosure.DisclosureSiteRoot",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name="所属站点",
    )

    base_form_class = PrivacyGatedForm
    exclude_fields_in_copy = ["registration_number", "registered_on", "validity_changed_on"]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("index_number"),
                FieldPanel("issuer"),
                FieldPanel("issuer_name"),
                FieldPanel("document_number"),
                FieldPanel("normative"),
                FieldPanel("topics"),
            ],
            "文件信息",
        ),
        MultiFieldPanel(
            [
                FieldPanel("written_on"),
                FieldPanel("formed_on"),
                FieldPanel("published_on"),
                FieldPanel("effective_on"),
                FieldPanel("expires_on"),
                FieldPanel("validity"),
                FieldPanel("replaced_by"),
            ],
            "日期与效力",
        ),
        FieldPanel("body"),
        FieldPanel("attachment"),
        FieldPanel("privacy_reason"),
    ]
    parent_page_types = ["disclosure.ColumnPage"]
    subpage_types: list[str] = []
    template = "disclosure/document.html"

    class Meta:
        verbose_name = "政策文件"
        # listings and searches show the newest first: read in this order, they stop at the page shown
        indexes = [
            models.Index(F("published_on").desc(), F("page_ptr").desc(), name="disclosure_doc_newest"),
            models.Index(fields=["site", "-published_on", "-page_ptr"], name="disclosure_doc_site_newest"),
        ]

    def privacy_text(self) -> str:
        return f"{self.title}\n{strip_tags(self.body or '')}\n{self.attachment_text()}"

    def attachment_text(self) -> str:
        """The attachment's text for the privacy gate; a PDF without a text layer is a finding-like
        block unless an officer confirmed it (the reason field)."""
        if not self.attachment_id:
            return ""
        try:
            with self.attachment.file.open("rb") as handle:
                return privacy.extract_text(handle.read())
        except privacy.NoTextLayer:
            return ""
        except (OSError, ValueError):
            return ""

    def check_privacy_gate(self) -> None:
        super().check_privacy_gate()
        if self.live and self.attachment_id and not (self.privacy_reason or "").strip() and self._scanned_pdf():
            raise ValidationError({PRIVACY_FIELD: SCANNED_PDF})

    def _scanned_pdf(self) -> bool:
        try:
            with self.attachment.file.open("rb") as handle:
                privacy.extract_text(handle.read())
        except privacy.NoTextLayer:
            return True
        except (OSError, ValueError):
            return False
        return False

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.document_number:
            try:
                self.document_number = wenhao.validate(self.document_number)
            except wenhao.WenhaoError as e:
                errors["document_number"] = e.message
        if self.effective_on and self.expires_on and self.expires_on < self.effective_on:
            errors["expires_on"] = "失效日期不能早于生效日期"
        if self.validity == Validity.AMENDED and not self.replaced_by_id:
            errors["replaced_by"] = "已修订的文件须链接修订后的文件"
        if self.replaced_by_id:
            if self.replaced_by_id == self.pk:
                errors["replaced_by"] = "替代文件不能是本文件"
            elif not PolicyDocumentPage.objects.filter(pk=self.replaced_by_id).exists():
                errors["replaced_by"] = "替代文件须为政策文件"
        if self.live:
            errors.update(self.publication_errors())
        if errors:
            raise ValidationError(errors)

    def publication_errors(self) -> dict[str, str]:
        """A normative document names its issuer (its registration pattern) and its period of
        validity: effective and expiry dates, at most 5 years apart (2 for 暂行/试行 rules)."""
        if not self.normative:
            return {}
        errors = {}
        if not self.issuer_id and not getattr(self, "issuer", None):
            errors["issuer"] = "行政规范性文件须选择发布机关（统一登记编号按发布机关编排）"
        if not self.effective_on:
            errors["effective_on"] = "行政规范性文件须写明生效日期"
        if not self.expires_on:
            errors["expires_on"] = "行政规范性文件须写明有效期（失效日期）"
        elif self.effective_on:
            years = self.maximum_validity_years
            limit = _add_years(self.effective_on, years) - dt.timedelta(days=1)
            if self.expires_on > limit:
                kind = "暂行、试行的" if years == NORMATIVE_PROVISIONAL_MAX_YEARS else ""
                errors["expires_on"] = f"{kind}行政规范性文件有效期不超过{years}年，失效日期最晚为{limit:%Y-%m-%d}"
        return errors

    @property
    def maximum_validity_years(self) -> int:
        provisional = any(word in (self.title or "") for word in ("暂行", "试行"))
        return NORMATIVE_PROVISIONAL_MAX_YEARS if provisional else NORMATIVE_MAX_YEARS

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "live" not in update_fields:
            # Wagtail's bookkeeping saves (latest revision, locks): the content is the revision's business
            return super().save(*args, **kwargs)
        today = timezone.localdate()
        changed = []
        if self.live and not self.published_on:
            self.published_on = today
            changed.append("published_on")
        with transaction.atomic():
            stored = (
                type(self).objects.filter(pk=self.pk).values("registration_number", "registered_on", "validity").first()
                if self.pk
                else None
            )
            if stored and stored["registration_number"]:
                # a number once given stays with the document, whatever revision is published later
                self.registration_number, self.registered_on = stored["registration_number"], stored["registered_on"]
            if self.validity == Validity.VALID and self.expires_on and self.expires_on < today:
                self.validity = Validity.EXPIRED  # it lapsed the day after its expiry date
                self.validity_changed_on = self.expires_on + dt.timedelta(days=1)
                changed += ["validity", "validity_changed_on"]
            elif stored and stored["validity"] != self.validity:
                self.validity_changed_on = today
                changed += ["validity", "validity_changed_on"]
            if self.live and self.normative and not self.registration_number and self.issuer_id:
                from .. import numbering

                self.registered_on = self.published_on or today
                self.registration_number = numbering.next_registration_number(self.issuer, self.registered_on.year)
                changed += ["registration_number", "registered_on"]
            from ..search import tokens

            self.search_tokens = tokens(
                f"{self.title} {self.document_number} {self.registration_number or ''} {self.issuer_name} "
                f"{strip_tags(self.body or '')}"
            )
            self.search_title = (self.title or "").upper()
            self.site_id = self.site_root_id()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = list(
                    {*kwargs["update_fields"], *changed, "search_tokens", "search_title", "site"}
                )
            return super().save(*args, **kwargs)

    def site_root_id(self) -> int | None:
        return nearest_site_root_id(self.path)

    def replaces(self):
        """The documents this one replaced (修订 / 废止 linking to it), for the both-ways link."""
        return PolicyDocumentPage.objects.live().public().filter(replaced_by=self).order_by("-published_on")

    def live_interpretations(self):
        return InterpretationPage.objects.live().public().filter(document=self).order_by("-first_published_at")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["interpretations"] = self.live_interpretations()
        context["replaces"] = self.replaces()
        return context

    # R13: proactive disclosure within 20 working days of forming
    @property
    def due_on(self) -> dt.date | None:
        return add_working_days(self.formed_on, PROACTIVE_DAYS) if self.formed_on else None

    @property
    def published_late(self) -> bool:
        due = self.due_on
        return bool(due and self.published_on and self.published_on > due)

    def topic_list(self) -> list[str]:
        return [t.strip() for t in self.topics.replace("，", "、").replace(",", "、").split("、") if t.strip()]


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class InterpretationPage(PrivacyGated, Page):
    """政策解读: text, a chart or a video explaining one policy document; the document lists its
    interpretations and each interpretation links back to its document."""

    document = models.ForeignKey(
        PolicyDocumentPage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interpretations",
        verbose_name="所解读的政策文件",
    )
    kind = models.CharField("解读形式", max_length=10, choices=InterpretationKind.choices, default="text")
    interpreter = models.CharField("解读机关（解读人）", max_length=100, blank=True)
    body = RichTextField("解读内容", blank=True, help_text="图表、视频解读也请在此写出要点（供读屏软件与检索）")
    chart = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="图解"
    )
    video = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="视频文件（MP4）",
    )
    video_url = models.URLField("视频地址", blank=True)

    base_form_class = PrivacyGatedForm
    content_panels = [
        *Page.content_panels,
        FieldPanel("document"),
        FieldPanel("kind"),
        FieldPanel("interpreter"),
        FieldPanel("body"),
        FieldPanel("chart"),
        FieldPanel("video"),
        FieldPanel("video_url"),
        FieldPanel("privacy_reason"),
    ]
    parent_page_types = ["disclosure.ColumnPage"]
    subpage_types: list[str] = []
    template = "disclosure/interpretation.html"

    class Meta:
        verbose_name = "政策解读"

    def privacy_text(self) -> str:
        return f"{self.title}\n{strip_tags(self.body or '')}"

    def publication_errors(self) -> dict[str, str]:
        errors = {}
        if not self.document_id and not getattr(self, "document", None):
            errors["document"] = "政策解读须关联所解读的政策文件"
        if self.kind == InterpretationKind.CHART and not (self.chart_id or getattr(self, "chart", None)):
            errors["chart"] = "图表解读须上传图解"
        has_video = self.video_id or getattr(self, "video", None) or self.video_url
        if self.kind == InterpretationKind.VIDEO and not has_video:
            errors["video_url"] = "视频解读须上传视频文件或填写视频地址"
        if self.kind == InterpretationKind.TEXT and not strip_tags(self.body or "").strip():
            errors["body"] = "文字解读须填写解读内容"
        return errors

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.video_url and not self.video_url.startswith(("https://", "http://")):
            errors["video_url"] = "视频地址须以 http:// 或 https:// 开头"
        if self.live:
            errors.update(self.publication_errors())
        if errors:
            raise ValidationError(errors)


class ConsultationPage(PrivacyGated, Page):
    draft = RichTextField("征求意见稿")
    explanation = RichTextField("起草说明", blank=True)
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("截止日期")
    concerns_enterprises = models.BooleanField(
        "涉及企业生产经营", default=False, help_text="涉及的，征求意见期不少于30日（优化营商环境条例第六十二条）"
    )
    drafting_department = models.ForeignKey(
        "identity.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="起草部门",
    )
    feedback_report = RichTextField("意见采纳情况反馈（你说我做）", blank=True)
    feedback_published_at = models.DateTimeField("反馈发布时间", null=True, blank=True)

    base_form_class = PrivacyGatedForm
    content_panels = [
        *Page.content_panels,
        FieldPanel("draft"),
        FieldPanel("explanation"),
        MultiFieldPanel(
            [
                FieldPanel("opens_on"),
                FieldPanel("closes_on"),
                FieldPanel("concerns_enterprises"),
                FieldPanel("drafting_department"),
            ],
            "征求意见期",
        ),
        FieldPanel("feedback_report"),
        FieldPanel("privacy_reason"),
    ]
    parent_page_types = ["disclosure.ColumnPage"]
    subpage_types: list[str] = []
    template = "disclosure/consultation.html"

    class Meta:
        verbose_name = "意见征集"

    def privacy_text(self) -> str:
        return f"{self.title}\n{strip_tags(self.draft or '')}\n{strip_tags(self.explanation or '')}"

    @property
    def minimum_days(self) -> int:
        return CONSULTATION_ENTERPRISE_DAYS if self.concerns_enterprises else CONSULTATION_DAYS

    def clean(self) -> None:
        super().clean()
        if self.opens_on and self.closes_on:
            days = (self.closes_on - self.opens_on).days
            if days < self.minimum_days:
                why = "涉及企业生产经营的，" if self.concerns_enterprises else ""
                raise ValidationError(
                    {
                        "closes_on": f"{why}征求意见期不少于{self.minimum_days}日，当前仅{max(days, 0)}日"
                        f"（截止日期最早为{self.opens_on + dt.timedelta(days=self.minimum_days)}）"
                    }
                )

    def is_open(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on


class ConsultationComment(models.Model):
    consultation = models.ForeignKey(ConsultationPage, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "identity.Enterprise", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField("意见", max_length=4000)
    status = models.CharField("审核状态", max_length=10, choices=CommentStatus.choices, default=CommentStatus.PENDING)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    adoption = models.CharField("采纳情况", max_length=15, choices=Adoption.choices, blank=True)
    answer = models.TextField("答复理由", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "征集意见"


def nearest_site_root_id(path: str) -> int | None:
    """The nearest DisclosureSiteRoot among the ancestors of the page at `path` (by tree path), else None."""
    if not path:
        return None
    prefixes = [path[:end] for end in range(Page.steplen, len(path), Page.steplen)]
    return DisclosureSiteRoot.objects.filter(path__in=prefixes).order_by("-depth").values_list("pk", flat=True).first()


def assign_sites(page: Page) -> int:
    """Set the `site` of every policy document in `page`'s subtree (itself included) to its nearest
    site root: the subtree's outer site first, then each site root inside it, outermost first, so
    the innermost wins. Run after a move (apps.py); returns the documents updated."""
    page = Page.objects.get(pk=page.pk)  # the path after the move
    outer = page.pk if DisclosureSiteRoot.objects.filter(pk=page.pk).exists() else nearest_site_root_id(page.path)
    under = PolicyDocumentPage.objects.filter(path__startswith=page.path)
    updated = under.update(site_id=outer)
    inner = DisclosureSiteRoot.objects.filter(path__startswith=page.path, depth__gt=page.depth).order_by("depth")
    for root in inner.only("pk", "path"):
        under.filter(path__startswith=root.path).update(site_id=root.pk)
    return updated
