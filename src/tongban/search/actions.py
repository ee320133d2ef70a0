"""The only write path of search's own tables (documents are written by SearchBackend.index).
Each action runs in one transaction and writes its audit record (STYLE.md)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tongban.core import audit
from tongban.core.errors import FieldError

from . import constants as c
from . import text
from .models import QueryLog, Synonym
from .query import analyse
from .selectors import synonyms_changed

MAX_SYNONYMS = 20


def _clean(value: Any, field: str) -> str:
    cleaned = text.normalise(str(value or ""), c.MAX_QUERY_CHARS).replace(" ", "") if value else ""
    if not cleaned:
        raise FieldError(field, "不能为空，且须含有文字或数字")
    return cleaned


def add_synonym(actor: Any, term: str, synonyms: list[str], *, mutual: bool = False) -> Synonym:
    """Queries containing `term` also search `synonyms` (and, if `mutual`, the other way too).
    Adding to an existing term extends its list. Takes effect for the next query."""
    key = _clean(term, "term")
    if not synonyms:
        raise FieldError("synonyms", "请至少填写一个同义词")
    cleaned = list(dict.fromkeys(_clean(s, "synonyms") for s in synonyms))
    if key in cleaned:
        raise FieldError("synonyms", f"同义词不能与词本身相同：{key}")
    now = timezone.now()
    with transaction.atomic():
        synonym, created = Synonym.objects.select_for_update().get_or_create(
            term=key, defaults={"synonyms": cleaned, "mutual": mutual, "created_by": actor_or_none(actor),
                                "created_at": now, "updated_at": now})
        if not created:
            synonym.synonyms = list(dict.fromkeys([*synonym.synonyms, *cleaned]))
            synonym.mutual = synonym.mutual or mutual
            synonym.updated_at = now
            synonym.save(update_fields=["synonyms", "mutual", "updated_at"])
        if len(synonym.synonyms) > MAX_SYNONYMS:
            raise FieldError("synonyms", f"一个词最多 {MAX_SYNONYMS} 个同义词")
        audit.record("search.synonym.add", obj=synonym, actor=actor,
                     data={"term": key, "added": cleaned, "mutual": mutual})
        # Now (this transaction reads its own write) and after commit (others reload only then).
        synonyms_changed()
        transaction.on_commit(synonyms_changed)
    return synonym


def actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def log_no_result(query: str, *, kind: str = "item") -> QueryLog | None:
    """Count a query that found nothing (normalised, so "營業執照" and "营业执照" are one row).
    A resolved query that finds nothing again is reopened. Queries that say nothing
    ("怎么办") are not logged."""
    analysed = analyse(query or "")
    if analysed.is_empty:
        return None
    normalised = analysed.text
    now = timezone.now()
    for _ in range(2):  # a concurrent first insert of the same query: count it instead
        updated = QueryLog.objects.filter(kind=kind, query=normalised).update(
            count=F("count") + 1, last_seen=now, resolved=False)
        if updated:
            return QueryLog.objects.get(kind=kind, query=normalised)
        try:
            with transaction.atomic():
                return QueryLog.objects.create(kind=kind, query=normalised, count=1, first_seen=now, last_seen=now)
        except IntegrityError:
            continue
    return None


def resolve_query(actor: Any, query_log: QueryLog, *, synonyms: list[str] | None = None, term: str | None = None,
                  keyword: str | None = None) -> QueryLog:
    """Close a no-result query in one step: either add `synonyms` for `term` (default: the
    query itself), or record that the calling app added `keyword` to a document."""
    if not synonyms and not keyword:
        raise FieldError("synonyms", "请填写同义词或关键词")
    with transaction.atomic():
        if synonyms:
            synonym = add_synonym(actor, term or query_log.query, synonyms)
            resolution = f"同义词：{synonym.term} → {'、'.join(synonyms)}"
        else:
            resolution = f"关键词：{_clean(keyword, 'keyword')}"
        query_log.resolved = True
        query_log.resolved_by = actor_or_none(actor)
        query_log.resolved_at = timezone.now()
        query_log.resolution = resolution[:200]
        query_log.save(update_fields=["resolved", "resolved_by", "resolved_at", "resolution"])
        audit.record("search.query.resolve", obj=query_log, actor=actor,
                     data={"query": query_log.query, "resolution": query_log.resolution})
    return query_log
