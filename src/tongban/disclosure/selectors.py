"""Scoped reads of disclosure: requests (the requester's own; officers their department's;
supervisors their region's), public documents and consultations."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tongban.core import audit
from tongban.core.errors import FieldError, NotFound

from . import clocks, search
from .constants import REASONS, ReplyType, RequesterType, State
from .models import ConsultationPage, DisclosureRequest, PolicyDocumentPage


@audit.scoped_lookup("可见申请的查询集：行由 request_row 展示，不含申请人信息")
def requests_for(user: Any, *, state: str = "") -> QuerySet[DisclosureRequest]:
    rows = DisclosureRequest.objects.visible_to(user).select_related("department")
    if state:
        if state not in State.values:
            raise FieldError("state", "状态应为：" + "、".join(State.values))
        rows = rows.filter(state=state)
    return rows


@audit.scoped_lookup("按编号取可见申请：由 request_detail 展示并记录读取")
def get_request(user: Any, number: str) -> DisclosureRequest:
    req = requests_for(user).filter(number=number).first()
    if req is None:
        raise NotFound("未找到该申请")
    return req


@audit.scoped_lookup("申请列表行：编号、状态与时限，不含申请人信息")
def request_row(req: DisclosureRequest) -> dict[str, Any]:
    return {
        "number": req.number,
        "state": req.state,
        "state_label": State(req.state).label,
        "requester_type": req.requester_type,
        "received_on": str(req.received_on),
        "deadline": str(req.deadline) if req.deadline else None,
        "department": req.department_id,
    }


@audit.personal_read("disclosure.request")
def request_detail(user: Any, req: DisclosureRequest, *, record: bool = True) -> dict[str, Any]:
    from django.utils import timezone

    if record and req.requester_id != getattr(user, "pk", None):
        audit.record_read("disclosure.request", subject_id=req.requester_id, reason="办理政府信息公开申请", obj=req)
    reading = clocks.read(req, timezone.localdate())
    row = request_row(req)
    row.update(
        {
            "requester_type_label": RequesterType(req.requester_type).label,
            "requester_name": req.requester_name,
            "content": req.content,
            "purpose": req.purpose,
            "delivery": req.delivery,
            "department_name": req.department.name,
            "clock": {"days_used": reading.days_used, "limit": reading.limit, "state": str(reading.state)}
            if reading
            else None,
            "correction": {
                "used": req.correction_used,
                "due": str(req.correction_due) if req.correction_due else None,
                "text": req.correction_text,
            },
            "extension_days": req.extension_days,
            "fee": {"amount": str(req.fee_amount), "due": str(req.fee_due)} if req.fee_amount else None,
            "reply": (
                {
                    "type": req.reply_type,
                    "label": ReplyType(req.reply_type).label,
                    "reason": req.reply_reason,
                    "reason_label": REASONS.get(req.reply_type, {}).get(req.reply_reason, ""),
                    "text": req.reply_text,
                    "on": str(req.replied_on),
                    "letter": f"/api/disclosure/requests/{req.number}/reply.pdf",
                }
                if req.reply_type
                else None
            ),
            "events": [{"action": e.action, "on": str(e.on), "note": e.note} for e in req.events.all()],
            "manifest": req.manifest or None,
        }
    )
    return row


# --- documents ---------------------------------------------------------------------------------------


LISTING_DEFERRED = ("search_tokens", "search_title", "body")


@audit.no_personal_data("已发布的政策文件与征集：公开信息")
def documents(
    *,
    site: str = "",
    q: str = "",
    document_number: str = "",
    issuer: str = "",
    year: int | None = None,
    topic: str = "",
    validity: str = "",
) -> QuerySet[PolicyDocumentPage]:
    # the search columns and the body are not shown in a listing: not read (rows stay narrow)
    rows = PolicyDocumentPage.objects.live().public().select_related("issuer").defer(*LISTING_DEFERRED)
    if site:
        from .models import DisclosureSiteRoot

        root = DisclosureSiteRoot.objects.filter(Q(slug=site) | Q(pk=int(site) if site.isdigit() else None)).first()
        if root is None:
            raise FieldError("site", f"未找到站点“{site}”")
        # the site recorded on the document row (its (site, newest) index), not a path prefix on the page tree
        rows = rows.filter(site=root)
    if document_number:
        rows = rows.filter(document_number__icontains=document_number.strip())
    if issuer:
        rows = rows.filter(Q(issuer_id=issuer) | Q(issuer_name__icontains=issuer) | Q(issuer__name__icontains=issuer))
    if year:
        rows = rows.filter(Q(published_on__year=year) | Q(written_on__year=year))
    if topic:
        rows = rows.filter(topics__icontains=topic)
    if validity:
        rows = rows.filter(validity=validity)
    if q.strip():
        rows = search.matching(rows, search.query_tokens(q))
    return rows.order_by("-published_on", "-pk")


@audit.no_personal_data("已发布的政策文件与征集：公开信息")
def document_row(page: PolicyDocumentPage, request: Any = None) -> dict[str, Any]:
    """A listing row; with the request, the URL comes from the site root paths it keeps (one
    cache read per request instead of one per row)."""
    return {
        "id": page.pk,
        "title": page.title,
        "url": page.get_url(request),
        "document_number": page.document_number,
        "index_number": page.index_number,
        "issuer": page.issuer_name or (page.issuer.name if page.issuer else ""),
        "published_on": str(page.published_on) if page.published_on else None,
        "effective_on": str(page.effective_on) if page.effective_on else None,
        "validity": page.validity,
        "validity_label": page.get_validity_display(),
        "topics": page.topic_list(),
        "normative": page.normative,
        "registration_number": page.registration_number,
    }


@audit.no_personal_data("已发布的政策文件与征集：公开信息")
def document_detail(page_id: int) -> dict[str, Any]:
    page = PolicyDocumentPage.objects.live().public().filter(pk=page_id).select_related("issuer").first()
    if page is None:
        raise NotFound("未找到该文件")
    row = document_row(page)
    row.update(
        {
            "written_on": str(page.written_on) if page.written_on else None,
            "expires_on": str(page.expires_on) if page.expires_on else None,
            "formed_on": str(page.formed_on) if page.formed_on else None,
            "due_on": str(page.due_on) if page.due_on else None,
            "published_late": page.published_late,
            "replaced_by": page.replaced_by_id,
            "replaces": [{"id": d.pk, "title": d.title, "validity": d.validity} for d in page.replaces()],
            "registered_on": str(page.registered_on) if page.registered_on else None,
            "interpretations": [
                {"id": i.pk, "title": i.title, "url": i.url, "kind": i.kind, "kind_label": i.get_kind_display()}
                for i in page.live_interpretations()
            ],
            "body": page.body,
        }
    )
    return row


# --- consultations -----------------------------------------------------------------------------------


@audit.no_personal_data("已发布的政策文件与征集：公开信息")
def consultations(state: str = "") -> QuerySet[ConsultationPage]:
    from django.utils import timezone

    rows = ConsultationPage.objects.live().public().order_by("-opens_on", "-pk")
    today = timezone.localdate()
    if state == "open":
        rows = rows.filter(opens_on__lte=today, closes_on__gte=today)
    elif state == "closed":
        rows = rows.filter(closes_on__lt=today)
    elif state:
        raise FieldError("state", "状态应为 open 或 closed")
    return rows


@audit.no_personal_data("已发布的政策文件与征集：公开信息")
def consultation_row(page: ConsultationPage) -> dict[str, Any]:
    return {
        "id": page.pk,
        "title": page.title,
        "url": page.url,
        "opens_on": str(page.opens_on),
        "closes_on": str(page.closes_on),
        "open": page.is_open(),
        "concerns_enterprises": page.concerns_enterprises,
        "feedback_published": page.feedback_published_at is not None,
    }


@audit.no_personal_data("已发布的政策文件与征集：公开信息")
def get_consultation(page_id: int) -> ConsultationPage:
    page = ConsultationPage.objects.live().public().filter(pk=page_id).first()
    if page is None:
        raise NotFound("未找到该意见征集")
    return page


@audit.no_personal_data("已发布的政策文件与征集：公开信息")
def consultation_detail(page: ConsultationPage) -> dict[str, Any]:
    from tongban.core.masking import mask_name

    from .constants import CommentStatus

    row = consultation_row(page)
    row.update(
        {
            "draft": page.draft,
            "explanation": page.explanation,
            "comments": [
                {
                    "id": c.pk,
                    "author": mask_name(c.author.name or c.author.get_username()),
                    "enterprise": c.enterprise.name if c.enterprise else None,
                    "text": c.text,
                    "adoption": c.adoption or None,
                    "answer": c.answer or None,
                }
                for c in page.comments.filter(status=CommentStatus.APPROVED).select_related("author", "enterprise")
            ],
            "feedback_report": page.feedback_report if page.feedback_published_at else None,
        }
    )
    return row


# --- open data ---------------------------------------------------------------------------------------


@audit.no_personal_data("开放数据集：公开信息")
def datasets() -> QuerySet:
    from django.db.models import Count, Max

    from .models import Dataset

    return Dataset.objects.annotate(version_count=Count("versions"), latest=Max("versions__number")).order_by(
        "identifier"
    )


@audit.no_personal_data("开放数据集：公开信息")
def get_dataset(identifier: str):
    row = datasets().filter(identifier=identifier[:80]).first()
    if row is None or not row.latest:
        raise NotFound("未找到该数据集")
    return row


@audit.no_personal_data("开放数据集：公开信息")
def distributions(dataset, number: int) -> list[dict[str, Any]]:
    base = f"/api/disclosure/datasets/{dataset.identifier}/versions/{number}"
    return [
        {"format": "CSV", "mediaType": "text/csv", "downloadURL": f"{base}/csv"},
        {"format": "JSON", "mediaType": "application/json", "downloadURL": f"{base}/json"},
    ]


@audit.no_personal_data("开放数据集：公开信息")
def dataset_row(dataset) -> dict[str, Any]:
    """DCAT-style metadata (dcat:Dataset) of one dataset and its latest distributions."""
    return {
        "@type": "dcat:Dataset",
        "identifier": dataset.identifier,
        "title": dataset.title,
        "description": dataset.description,
        "publisher": {"id": dataset.publisher_id, "name": dataset.publisher_name},
        "theme": dataset.theme,
        "keyword": dataset.keywords,
        "license": dataset.license,
        "accrualPeriodicity": dataset.periodicity,
        "issued": dataset.issued.isoformat(),
        "modified": dataset.modified.isoformat(),
        "columns": dataset.columns,
        "version": dataset.latest,
        "versions": dataset.version_count,
        "distribution": distributions(dataset, dataset.latest) if dataset.latest else [],
    }


@audit.no_personal_data("开放数据集：公开信息")
def dataset_detail(dataset) -> dict[str, Any]:
    row = dataset_row(dataset)
    row["history"] = [
        {
            "version": v.number,
            "created": v.created_at.isoformat(),
            "rows": v.row_count,
            "suppressed_cells": v.suppressed,
            "sha256": v.sha256,
            "distribution": distributions(dataset, v.number),
        }
        for v in dataset.versions.order_by("-number").only("number", "created_at", "row_count", "suppressed", "sha256")
    ]
    return row


@audit.no_personal_data("开放数据集：公开信息")
def dataset_version(dataset, number: int):
    version = dataset.versions.filter(number=number).first()
    if version is None:
        raise NotFound(f"数据集没有第{number}版")
    return version
