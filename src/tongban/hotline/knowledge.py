"""Reads of the knowledge base (知识库): search through the platform's `SearchBackend` (jieba,
pinyin, synonyms — the catalogue's search), only published versions valid today answer.

Each article's published version is one search document of kind `hotline-article` (key = the
article's id); `knowledge_actions` indexes it on publication and removes it on retirement.
Validity is checked again against the rows at read time, so an article whose `valid_to` has
passed never answers even before the index catches up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from .models import Article, ArticleVersion, VersionStatus

KIND = "hotline-article"
MAX_QUERY = 100


def document(version: ArticleVersion) -> Any:
    from tongban.search.indexing import Document

    article = version.article
    subject = article.subject
    return Document(
        kind=KIND, key=str(article.pk), title=version.title,
        keywords=" ".join(filter(None, [version.keywords, subject.name if subject else ""])),
        body=version.answer,
        data={"version": version.number, "subject": article.subject_id,
              "valid_to": version.valid_to.isoformat() if version.valid_to else None})


def _today() -> dt.date:
    return timezone.localdate()


def in_force(today: dt.date | None = None) -> Any:
    """Articles whose current version is published and valid today."""
    today = today or _today()
    from django.db.models import Q

    return (Article.objects.filter(retired=False, current__status=VersionStatus.PUBLISHED,
                                   current__valid_from__lte=today)
            .filter(Q(current__valid_to__isnull=True) | Q(current__valid_to__gte=today))
            .select_related("current", "subject", "department"))


def search(query: str, *, limit: int = 5, log_misses: bool = False) -> list[dict]:
    """Articles in force for what someone typed, best first."""
    from tongban.search.selectors import find

    query = (query or "").strip()[:MAX_QUERY]
    if not query:
        return []
    hits = find(query, kind=KIND, limit=limit * 2, log_misses=log_misses)
    ids = [int(h.key) for h in hits if h.key.isdigit()]
    live = {a.pk: a for a in in_force().filter(pk__in=ids)}
    out = []
    for hit in hits:
        article = live.get(int(hit.key)) if hit.key.isdigit() else None
        if article is not None:
            out.append(row(article, score=hit.score))
    return out[:limit]


def row(article: Article, score: float | None = None) -> dict:
    v = article.current
    return {"id": article.pk, "version": v.number, "title": v.title, "answer": v.answer,
            "subject": article.subject.name if article.subject_id else None,
            "department": article.department.name if article.department_id else None,
            "source": {"kind": v.source_kind, "label": v.get_source_kind_display(), "ref": v.source_ref},
            "valid_from": v.valid_from.isoformat(), "valid_to": v.valid_to.isoformat() if v.valid_to else None,
            **({"score": score} if score is not None else {})}


def version_row(v: ArticleVersion) -> dict:
    return {"number": v.number, "title": v.title, "answer": v.answer, "keywords": v.keywords,
            "source_kind": v.source_kind, "source_ref": v.source_ref, "valid_from": v.valid_from.isoformat(),
            "valid_to": v.valid_to.isoformat() if v.valid_to else None, "status": v.status,
            "status_label": v.get_status_display(), "review_note": v.review_note,
            "author": v.author.get_username() if v.author_id else None,
            "reviewer": v.reviewer.get_username() if v.reviewer_id else None}


def answerable(article_id: Any) -> ArticleVersion | None:
    """The version an article answers with today, or None (unknown, retired, expired, unpublished)."""
    try:
        pk = int(article_id)
    except (TypeError, ValueError):
        return None
    article = in_force().filter(pk=pk).first()
    return article.current if article else None
