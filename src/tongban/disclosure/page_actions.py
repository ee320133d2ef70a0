"""Write path of the disclosure site: sites with their directory, documents, consultation
comments, moderation, answers to opinions, the feedback report (R20) and the privacy
waiver (R21). Pages are Wagtail pages; these functions are what the API, the demo and the
admin hooks call."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from tongban.core import audit
from tongban.core.errors import Conflict, FieldError, NotFound
from tongban.identity.models import User

from . import permissions
from .constants import DIRECTORY, Adoption, CommentStatus, Validity
from .models import (
    ColumnPage,
    ConsultationComment,
    ConsultationPage,
    DisclosureSiteRoot,
    PolicyDocumentPage,
    RegistrationPattern,
)

logger = logging.getLogger(__name__)
MAX_COMMENT = 2000


def _field_errors(error: ValidationError) -> FieldError:
    pairs = [
        (field if field != "__all__" else "page", "；".join(str(m) for m in messages))
        for field, messages in error.message_dict.items()
    ]
    return FieldError(errors=pairs)


def ensure_directory(site: DisclosureSiteRoot) -> list[ColumnPage]:
    """The standard 政府信息公开目录 columns under a site (idempotent): created with the site."""
    made = []
    existing = {c.slug: c for c in ColumnPage.objects.child_of(site)}
    with transaction.atomic():
        for slug, title, children in DIRECTORY:
            column = existing.get(slug)
            if column is None:
                column = site.add_child(instance=ColumnPage(title=title, slug=slug, column_type=slug))
                made.append(column)
            below = {c.slug for c in ColumnPage.objects.child_of(column)}
            for child_slug, child_title in children:
                if child_slug not in below:
                    made.append(
                        column.add_child(
                            instance=ColumnPage(title=child_title, slug=child_slug, column_type=child_slug)
                        )
                    )
        if made:
            audit.record("disclosure.site.directory", obj=site, data={"columns": [c.slug for c in made]})
    return made


SITE_GROUP_PERMISSIONS = {
    "编辑": ("add_page", "change_page"),
    "审核": ("add_page", "change_page", "publish_page"),
    # the site's administrator (site_admin.py): its pages like a reviewer, plus locks
    "管理员": ("add_page", "change_page", "publish_page", "lock_page", "unlock_page"),
}


SITE_COLLECTION_PERMISSIONS = {
    "wagtailimages": ("add_image", "change_image", "choose_image"),
    "wagtaildocs": ("add_document", "change_document", "choose_document"),
}


def ensure_site_groups(site: DisclosureSiteRoot) -> list[Any]:
    """The site's editor and reviewer groups, with Wagtail page permissions on its tree only, and
    the site's own collection (images and documents) with collection permissions on it only: an
    editor sees and chooses their site's images and documents, no other site's (tenancy.py)."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

    groups = []
    with transaction.atomic():
        name = site.group_name()
        # Wagtail's migration makes the root collection; a flushed database (transactional tests) has none
        root = Collection.get_first_root_node() or Collection.add_root(name="Root")
        collection = root.get_children().filter(name=name).first() or root.add_child(name=name)
        collection_permissions = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codenames in SITE_COLLECTION_PERMISSIONS.items()
            for codename in codenames
        ]
        admin_access = Permission.objects.filter(
            content_type__app_label="wagtailadmin", codename="access_admin"
        ).first()
        for role, codenames in SITE_GROUP_PERMISSIONS.items():
            group, _created = Group.objects.get_or_create(name=site.group_name(role))
            if admin_access:
                group.permissions.add(admin_access)
            for codename in codenames:
                permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
                GroupPagePermission.objects.get_or_create(group=group, page=site, permission=permission)
            for permission in collection_permissions:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=collection, permission=permission
                )
            groups.append(group)
        audit.record(
            "disclosure.site.groups", obj=site, data={"groups": [g.name for g in groups], "collection": collection.name}
        )
    return groups


def create_site(parent: Page, *, title: str, slug: str, **fields: Any) -> DisclosureSiteRoot:
    with transaction.atomic():
        site = parent.add_child(instance=DisclosureSiteRoot(title=title, slug=slug, **fields))
        ensure_directory(site)
        ensure_site_groups(site)
        audit.record("disclosure.site.create", obj=site, data={"slug": slug})
    return site


def add_page(parent: Page, page: Page) -> Page:
    """Add a document or consultation under a column: validated (文号, R20, privacy gate R21)."""
    try:
        with transaction.atomic():
            parent.add_child(instance=page)
            audit.record("disclosure.page.add", obj=page, data={"type": page._meta.model_name, "live": page.live})
    except ValidationError as e:
        raise _field_errors(e) from None
    return page


def publish(actor: User | None, page: Page) -> Page:
    """Publish the latest content of a page through a revision (the privacy gate applies)."""
    if actor is not None and not permissions.may_moderate(actor):
        raise PermissionDenied("只有编辑或审批人员可以发布")
    specific = page.specific
    # a refused earlier attempt may have left a rolled-back revision on the object
    specific.latest_revision_id = (
        Page.objects.filter(pk=specific.pk).values_list("latest_revision_id", flat=True).first()
    )
    try:
        with transaction.atomic():
            revision = specific.save_revision(user=actor)
            # the platform's roles decided above; Wagtail's group permissions guard its admin
            revision.publish(user=actor, skip_permission_checks=True)
            audit.record("disclosure.page.publish", obj=specific, data={"title": specific.title})
    except ValidationError as e:
        raise _field_errors(e) from None
    return type(specific).objects.get(pk=specific.pk)


def record_privacy_reason(actor: User, page: Page, reason: str) -> Page:
    """R21: an officer records why personal data found in the page must stay published."""
    if not permissions.may_moderate(actor):
        raise PermissionDenied("只有审批人员或编辑可以记录保留理由")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise FieldError("privacy_reason", "请写明保留个人信息的法定依据（如行政处罚决定公开）")
    specific = page.specific
    with transaction.atomic():
        specific.privacy_reason = reason[:1000]
        # the reason is a record about the page, kept on the row too (a draft's row is not its revision)
        type(specific).objects.filter(pk=specific.pk).update(privacy_reason=specific.privacy_reason)
        specific.save_revision(user=actor)
        audit.record("disclosure.page.privacy_reason", obj=specific, data={"reason": reason[:200]})
    return specific


def redact_attachment(actor: User, page: Page) -> dict[str, Any]:
    """R21: the document's PDF attachment republished redacted — every page with personal data
    re-rendered as an image without it (redaction.py), a notice page saying what was removed and
    on what ground — as a new document in the same collection, which the page now links; the
    original stays in the collection for the record and is no longer attached."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    from . import redaction
    from .models import PolicyDocumentPage

    if not permissions.may_moderate(actor):
        raise PermissionDenied("只有审批人员或编辑可以处理附件")
    specific = page.specific
    if not isinstance(specific, PolicyDocumentPage) or not specific.attachment_id:
        raise FieldError("attachment", "该页面没有附件")
    original = specific.attachment
    try:
        with original.file.open("rb") as handle:
            data = handle.read()
    except OSError:
        raise FieldError("attachment", "附件文件无法读取，请重新上传") from None
    if data[:5] != b"%PDF-":
        raise FieldError("attachment", "只能自动处理PDF附件；其他格式请上传已去除个人信息的文件替换")
    try:
        redacted, report = redaction.redact_pdf(data, title=original.title)
    except Exception:  # a damaged PDF pdfminer or pypdf cannot read
        logger.warning("附件%s去标识化失败", original.pk, exc_info=True)
        raise FieldError("attachment", "附件PDF无法解析，请上传已去除个人信息的文件替换") from None
    if not report.findings:
        raise Conflict("附件中未发现个人信息，无需处理")
    with transaction.atomic():
        clean = get_document_model().objects.create(
            title=f"{original.title}（已去标识化）"[:255],
            file=ContentFile(redacted, name=f"redacted-{specific.pk}.pdf"),
            collection=original.collection,
        )
        specific.attachment = clean
        type(specific).objects.filter(pk=specific.pk).update(attachment=clean)
        specific.save_revision(user=actor)
        audit.record(
            "disclosure.page.redact_attachment",
            obj=specific,
            data={"original": original.pk, "redacted": clean.pk, **report.as_dict()},
        )
    return {"page": specific.pk, "attachment": clean.pk, **report.as_dict()}


def comment(
    actor: User, consultation: ConsultationPage, text: str, *, enterprise_uscc: str | None = None
) -> ConsultationComment:
    """A comment from a signed-in person (moderated before it shows); on a closed consultation 409."""
    from .text import plain_text

    text = plain_text(text)  # markup removed by nh3; templates escape it again
    if not text:
        raise FieldError("text", "请填写意见内容")
    if len(text) > MAX_COMMENT:
        raise FieldError("text", f"意见不能超过{MAX_COMMENT}字")
    if not consultation.is_open():
        raise Conflict(
            f"意见征集已于{consultation.closes_on}截止"
            if timezone.localdate() > consultation.closes_on
            else f"意见征集将于{consultation.opens_on}开始"
        )
    enterprise = None
    if enterprise_uscc:
        membership = actor.memberships.filter(enterprise_id=enterprise_uscc.upper(), status="active").first()
        if membership is None:
            raise FieldError("enterprise", "您不是该企业的经办人")
        enterprise = membership.enterprise
    with transaction.atomic():
        row = ConsultationComment.objects.create(
            consultation=consultation, author=actor, enterprise=enterprise, text=text
        )
        audit.record("disclosure.comment.create", obj=row, subject_id=actor.pk, data={"consultation": consultation.pk})
    return row


def moderate(actor: User, comment_id: int, status: str) -> ConsultationComment:
    if not permissions.may_moderate(actor):
        raise PermissionDenied("只有编辑或审批人员可以审核意见")
    if status not in (CommentStatus.APPROVED, CommentStatus.REJECTED):
        raise FieldError("status", "审核结果应为 approved 或 rejected")
    with transaction.atomic():
        row = ConsultationComment.objects.select_for_update().filter(pk=comment_id).first()
        if row is None:
            raise NotFound("未找到该意见")
        if row.status != CommentStatus.PENDING:
            raise Conflict("该意见已审核")
        row.status = status
        row.save(update_fields=["status"])
        audit.record("disclosure.comment.moderate", obj=row, data={"status": status})
    return row


def answer(actor: User, comment_id: int, adoption: str, reason: str) -> ConsultationComment:
    """The drafting department answers an opinion: adopted / partly / not adopted, with a reason."""
    if not permissions.may_moderate(actor):
        raise PermissionDenied("只有起草部门工作人员可以答复意见")
    errors = []
    if adoption not in Adoption.values:
        errors.append(("adoption", "采纳情况应为：" + "、".join(Adoption.values)))
    if not (reason or "").strip():
        errors.append(("reason", "请说明采纳或不予采纳的理由"))
    if errors:
        raise FieldError(errors=errors)
    with transaction.atomic():
        row = ConsultationComment.objects.select_for_update().filter(pk=comment_id).first()
        if row is None:
            raise NotFound("未找到该意见")
        if row.status == CommentStatus.REJECTED:
            raise Conflict("不予展示的意见无需答复")
        row.adoption, row.answer, row.answered_at = adoption, reason.strip()[:MAX_COMMENT], timezone.now()
        row.save(update_fields=["adoption", "answer", "answered_at"])
        audit.record("disclosure.comment.answer", obj=row, data={"adoption": adoption})
    return row


def publish_feedback(actor: User, consultation: ConsultationPage, report: str) -> ConsultationPage:
    """R20: the feedback report (你说我做) is published only when every opinion has an answer."""
    if not permissions.may_moderate(actor):
        raise PermissionDenied("只有起草部门工作人员可以发布反馈")
    if not (report or "").strip():
        raise FieldError("report", "请填写意见采纳情况反馈")
    with transaction.atomic():
        page = ConsultationPage.objects.select_for_update().get(pk=consultation.pk)
        if page.comments.filter(status=CommentStatus.PENDING).exists():
            raise Conflict("尚有意见未审核，不能发布反馈")
        unanswered = page.comments.filter(status=CommentStatus.APPROVED, adoption="").count()
        if unanswered:
            raise Conflict(f"尚有{unanswered}条意见未答复，每条意见均须答复后才能发布反馈")
        page.feedback_report, page.feedback_published_at = report.strip(), timezone.now()
        page.save_revision(user=actor).publish(user=actor, skip_permission_checks=True)
        audit.record("disclosure.consultation.feedback", obj=page, data={"comments": page.comments.count()})
    return page


# --- normative documents: registration pattern, validity --------------------------------------------


def set_registration_pattern(actor: User, issuer_id: str, template: str) -> RegistrationPattern:
    """The issuer's pattern of 统一登记编号 (`DLSZGF-{year}-{seq:04d}`); numbers already given stay."""
    from tongban.identity.models import Department

    from . import numbering

    if not permissions.may_moderate(actor):
        raise PermissionDenied("只有编辑或审批人员可以设置登记编号格式")
    template = (template or "").strip()
    problem = numbering.template_errors(template) if template else "请填写登记编号格式"
    if problem:
        raise FieldError("template", problem)
    issuer = Department.objects.filter(pk=issuer_id).first()
    if issuer is None:
        raise FieldError("issuer", f"未找到发布机关“{issuer_id}”")
    with transaction.atomic():
        row, _ = RegistrationPattern.objects.update_or_create(issuer=issuer, defaults={"template": template})
        audit.record("disclosure.registration.pattern", obj=row, data={"issuer": issuer.pk, "template": template})
    return row


def change_validity(
    actor: User | None, page: PolicyDocumentPage, validity: str, *, replaced_by: Page | None = None
) -> PolicyDocumentPage:
    """A document is repealed (废止), expires (失效) or is amended (修订, linked to the amending
    document, which then lists it); the change is published as a new revision and dated."""
    if actor is not None and not permissions.may_moderate(actor):
        raise PermissionDenied("只有编辑或审批人员可以变更文件效力")
    if validity not in Validity.values:
        raise FieldError("validity", "有效性应为：" + "、".join(Validity.labels))
    if validity == Validity.AMENDED and replaced_by is None:
        raise FieldError("replaced_by", "已修订的文件须链接修订后的文件")
    with transaction.atomic():
        doc = PolicyDocumentPage.objects.select_for_update().filter(pk=page.pk).first()
        if doc is None:
            raise NotFound("未找到该文件")
        if not doc.live:
            raise Conflict("文件尚未发布，请直接编辑")
        if doc.validity == validity and (replaced_by is None or doc.replaced_by_id == replaced_by.pk):
            raise Conflict(f"文件已是“{doc.get_validity_display()}”")
        doc.validity = validity
        doc.replaced_by = replaced_by
        try:
            doc.full_clean()
        except ValidationError as e:
            raise _field_errors(e) from None
        revision = doc.save_revision(user=actor)
        revision.publish(user=actor, skip_permission_checks=True)
        audit.record(
            "disclosure.document.validity",
            obj=doc,
            data={"validity": validity, "replaced_by": replaced_by.pk if replaced_by else None},
        )
    return PolicyDocumentPage.objects.get(pk=doc.pk)


def expire_documents(today=None) -> int:
    """Documents past their expiry date are marked 失效 (the page keeps its history)."""
    today = today or timezone.localdate()
    count = 0
    for pk in PolicyDocumentPage.objects.filter(validity=Validity.VALID, expires_on__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            doc = PolicyDocumentPage.objects.select_for_update().get(pk=pk)
            if doc.validity != Validity.VALID:
                continue
            lapsed = doc.expires_on + dt.timedelta(days=1)
            PolicyDocumentPage.objects.filter(pk=pk).update(validity=Validity.EXPIRED, validity_changed_on=lapsed)
            audit.record("disclosure.document.expired", obj=doc, data={"expires_on": str(doc.expires_on)})
            count += 1
    return count
