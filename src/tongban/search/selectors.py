"""Reads of the search app: the one call apps search through, the synonym table, the
editors' list of queries that found nothing. Authorisation is the calling app's (search
knows documents, not who may edit which catalogue)."""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db.models import QuerySet

from tongban.core import audit

from .backends.base import Hit, get_backend
from .models import QueryLog, Synonym
from .query import SynonymTable, merge_synonyms, starter_synonyms

SYNONYM_VERSION_KEY = "search:synonyms:version"
SYNONYM_VERSION_TTL = 60  # seconds: a process whose local cache missed a change reloads within this
_memo: dict[str, object] = {"version": None, "table": None}


@audit.no_personal_data("检索事项与一件事：公开信息")
def find(query: str, *, kind: str, audience: str | None = None, region: str | None = None,
         theme: str | None = None, limit: int = 20, log_misses: bool = True) -> list[Hit]:
    """Search as a person does: the hits, and a no-result query logged for the editors."""
    hits = get_backend().search(query, kind=kind, audience=audience, region=region, theme=theme, limit=limit)
    if not hits and log_misses:
        from .actions import log_no_result

        log_no_result(query, kind=kind)
    return hits


@audit.no_personal_data("同义词表")
def synonym_table() -> SynonymTable:
    """Starter synonyms plus the editors' rows; reloaded when an editor changes them."""
    version = cache.get_or_set(SYNONYM_VERSION_KEY, lambda: uuid.uuid4().hex, SYNONYM_VERSION_TTL)
    if _memo["version"] != version or _memo["table"] is None:
        rows = [(t, list(s), m) for t, s, m in Synonym.objects.values_list("term", "synonyms", "mutual")]
        _memo["table"] = merge_synonyms(starter_synonyms(), rows)
        _memo["version"] = version
    return _memo["table"]  # type: ignore[return-value]


@audit.no_personal_data("清除同义词缓存")
def synonyms_changed() -> None:
    cache.set(SYNONYM_VERSION_KEY, uuid.uuid4().hex, SYNONYM_VERSION_TTL)


@audit.no_personal_data("无结果检索（匿名）")
def open_no_result_queries(kind: str | None = None) -> QuerySet[QueryLog]:
    """The editors' dashboard: unresolved no-result queries, most frequent first."""
    logs = QueryLog.objects.filter(resolved=False)
    if kind:
        logs = logs.filter(kind=kind)
    return logs.order_by("-count", "-last_seen")
