"""Writes of the knowledge base: draft an article or a new version, review it (another person
publishes or rejects: four eyes), retire an article. Publication indexes the version for
search; the superseded version stays (tickets answered from it keep pointing at it)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from tongban.core import audit
from tongban.core.errors import Conflict, FieldError, NotFound
from tongban.identity.models import Department

from . import knowledge, permissions
from .models import Article, ArticleSource, ArticleVersion, Subject, VersionStatus

log = logging.getLogger(__name__)


def _may_write(actor: Any) -> None:
    if not permissions.may_edit_knowledge(actor):
        raise PermissionDenied


def _date(value: Any, field: str, errors: list) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        parsed = parse_date(str(value)[:10]) if isinstance(value, str) else None
    except ValueError:  # well formed but not a date (2026-13-01)
        parsed = None
    if parsed is None:
        errors.append((field, "日期格式应为 YYYY-MM-DD"))
    return parsed


def _clean_version(data: dict[str, Any]) -> dict[str, Any]:
    errors: list[tuple[str, str]] = []
    title = (data.get("title") or "").strip()
    answer = (data.get("answer") or "").strip()
    if not title:
        errors.append(("title", "标题不能为空"))
    elif len(title) > 120:
        errors.append(("title", "标题不能超过120字"))
    if len(answer) < 10:
        errors.append(("answer", "答复口径至少10字"))
    elif len(answer) > 4000:
        errors.append(("answer", "答复口径不能超过4000字"))
    keywords = (data.get("keywords") or "").strip()
    if len(keywords) > 300:
        errors.append(("keywords", "关键词不能超过300字"))
    source_kind = data.get("source_kind") or ""
    if source_kind not in ArticleSource.values:
        errors.append(("source_kind", "来源应为 guide（办事指南）、policy（政策文件）或 department（部门答复口径）"))
    source_ref = (data.get("source_ref") or "").strip()
    if not source_ref:
        errors.append(("source_ref", "请注明出处：事项编码、文号或部门"))
    elif len(source_ref) > 200:
        errors.append(("source_ref", "出处不能超过200字"))
    valid_from = _date(data.get("valid_from"), "valid_from", errors) or timezone.localdate()
    valid_to = _date(data.get("valid_to"), "valid_to", errors)
    if valid_to and valid_to < valid_from:
        errors.append(("valid_to", "失效日期不能早于生效日期"))
    if errors:
        raise FieldError(errors=errors)
    return {"title": title, "answer": answer, "keywords": keywords, "source_kind": source_kind,
            "source_ref": source_ref, "valid_from": valid_from, "valid_to": valid_to}


@transaction.atomic
def create_article(actor: Any, data: dict[str, Any]) -> ArticleVersion:
    """A new article with its first version, waiting for review."""
    _may_write(actor)
    errors: list[tuple[str, str]] = []
    subject = department = None
    if data.get("subject"):
        subject = Subject.objects.filter(pk=str(data["subject"])[:40]).first()
        if subject is None:
            errors.append(("subject", "未知的诉求分类编码"))
    if data.get("department"):
        department = Department.objects.filter(pk=str(data["department"])[:40]).first()
        if department is None:
            errors.append(("department", "未知的部门"))
    try:
        clean = _clean_version(data)
    except FieldError as exc:
        errors = [*errors, *exc.errors]
    if errors:
        raise FieldError(errors=errors)
    article = Article.objects.create(subject=subject, department=department)
    version = ArticleVersion.objects.create(article=article, number=1, author=actor, **clean)
    audit.record("hotline.article.drafted", obj=article, actor=actor, data={"version": 1, "title": clean["title"]})
    return version


def _article(pk: Any, *, lock: bool = False) -> Article:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound("未找到该知识库文章") from None
    rows = Article.objects.select_for_update() if lock else Article.objects
    article = rows.filter(pk=pk).first()
    if article is None:
        raise NotFound("未找到该知识库文章")
    return article


@transaction.atomic
def revise(actor: Any, article_id: Any, data: dict[str, Any]) -> ArticleVersion:
    """A new draft version of an article (the published one answers until it is approved)."""
    _may_write(actor)
    article = _article(article_id, lock=True)
    if article.retired:
        raise Conflict("该文章已停用，不能再修订")
    if article.versions.filter(status=VersionStatus.DRAFT).exists():
        raise Conflict("该文章已有待审核的版本，请先审核")
    clean = _clean_version(data)
    number = (article.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ArticleVersion.objects.create(article=article, number=number, author=actor, **clean)
    audit.record("hotline.article.revised", obj=article, actor=actor, data={"version": number})
    return version


@transaction.atomic
def review(actor: Any, article_id: Any, number: Any, approve: Any, note: str = "") -> ArticleVersion:
    """Publish (approve=True) or reject a draft; the author may not review their own draft."""
    _may_write(actor)
    article = _article(article_id, lock=True)
    version = article.versions.filter(number=number if isinstance(number, int) else -1).first()
    if version is None:
        raise NotFound("未找到该版本")
    if not isinstance(approve, bool):
        raise FieldError("approve", "请选择通过（true）或不通过（false）")
    note = (note or "").strip()[:500]
    if not approve and not note:
        raise FieldError("note", "不通过须说明理由")
    if version.status != VersionStatus.DRAFT:
        raise Conflict(f"该版本当前状态为“{version.get_status_display()}”，不能再审核")
    if version.author_id == getattr(actor, "pk", None):
        raise Conflict("起草人不能审核自己起草的版本，请由另一位工作人员审核")
    version.reviewer, version.review_note, version.reviewed_at = actor, note, timezone.now()
    if approve:
        if article.current_id:
            ArticleVersion.objects.filter(pk=article.current_id).update(status=VersionStatus.SUPERSEDED)
        version.status = VersionStatus.PUBLISHED
        version.save()
        article.current = version
        article.save(update_fields=["current"])
        transaction.on_commit(lambda: _index(article.pk))
    else:
        version.status = VersionStatus.REJECTED
        version.save()
    audit.record("hotline.article.reviewed", obj=article, actor=actor,
                 data={"version": version.number, "approved": approve})
    return version


@transaction.atomic
def retire(actor: Any, article_id: Any) -> Article:
    """Stop an article answering (it stays for the tickets answered from it)."""
    _may_write(actor)
    article = _article(article_id, lock=True)
    if article.retired:
        raise Conflict("该文章已停用")
    article.retired = True
    article.save(update_fields=["retired"])
    transaction.on_commit(lambda: _unindex(article.pk))
    audit.record("hotline.article.retired", obj=article, actor=actor, data={})
    return article


def _index(article_id: int) -> None:
    """Index the article's published version (a search outage never undoes a publication:
    `reindex()` catches up)."""
    from tongban.search.backends.base import get_backend

    article = Article.objects.select_related("current", "subject").filter(pk=article_id).first()
    if article is None or article.current is None:
        return
    try:
        get_backend().index([knowledge.document(article.current)])
    except Exception:
        log.exception("indexing knowledge article %s failed", article_id)


def _unindex(article_id: int) -> None:
    from tongban.search.backends.base import get_backend

    try:
        get_backend().remove(knowledge.KIND, [str(article_id)])
    except Exception:
        log.exception("removing knowledge article %s from search failed", article_id)


def reindex() -> int:
    """Every article in force into the search index (demo load, after a restore)."""
    from tongban.search.backends.base import get_backend

    docs = [knowledge.document(a.current) for a in knowledge.in_force()]
    get_backend().index(docs)
    audit.record("hotline.article.reindexed", actor=None, data={"count": len(docs)})
    return len(docs)
