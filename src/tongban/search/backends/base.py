"""The one search interface every app uses, whatever the database.

    backend = get_backend()
    backend.index([Document(kind="item", key="SCJG-XK-008", title="食品经营许可（新办）", …)])
    backend.search("开饭店要办什么证", kind="item", audience="enterprise", region="210202")
    backend.suggest("yyzz", kind="item")
    backend.remove("item", ["SCJG-XK-008"])

Indexing and query analysis are shared (indexing.py, query.py); a backend only finds
candidates with its engine and ranks them (scoring.py states the formula).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.utils import timezone

from ..indexing import Document, analyse_document
from ..models import SearchDocument
from ..query import Query, analyse
from ..scoring import Candidate

MAX_LIMIT = 100
BATCH = 500
_UPDATED_FIELDS = [
    "title", "keywords", "body", "region_code", "audience", "themes", "popularity", "data", "updated_at",
    "title_terms", "keyword_terms", "body_terms", "title_text", "keyword_text",
]
# Columns a backend selects for re-ranking in Python, in this order (see row_to_candidate).
ROW_COLUMNS = ("d.kind, d.key, d.title, d.data, d.popularity, d.region_code, d.title_terms, d.keyword_terms, "
               "d.body_terms, d.title_text, d.keyword_text")


@dataclass(frozen=True)
class Hit:
    kind: str
    key: str
    title: str
    score: float
    data: dict[str, Any]
    exact: bool = False  # a suggestion whose title contains what was typed


@dataclass(frozen=True)
class Filters:
    kind: str
    audience: str | None = None
    region: str | None = None
    theme: str | None = None


def decode_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def row_to_candidate(row: tuple) -> tuple[Candidate, tuple]:
    """(Candidate for scoring, (kind, key, title, data)) from a ROW_COLUMNS row."""
    kind, key, title, data, popularity, region, tt, kt, bt, title_text, keyword_text = row
    return Candidate(tt, kt, bt, title_text, keyword_text, popularity or 0.0, region), (kind, key, title, data)


class SearchBackend(ABC):
    vendor = ""

    def __init__(self, using: str = "default") -> None:
        self.using = using

    @property
    def connection(self):
        return connections[self.using]

    # --- writing --------------------------------------------------------------------------
    def index(self, docs: Iterable[Document]) -> int:
        """Add or replace documents (by kind and key); the engine index follows by itself."""
        now = timezone.now()
        latest = {(doc.kind, doc.key): doc for doc in docs}
        rows = [self._row(doc, now) for doc in latest.values()]
        with transaction.atomic(using=self.using):
            for start in range(0, len(rows), BATCH):
                SearchDocument.objects.using(self.using).bulk_create(
                    rows[start:start + BATCH], update_conflicts=True, unique_fields=["kind", "key"],
                    update_fields=_UPDATED_FIELDS)
        return len(rows)

    def remove(self, kind: str, keys: Iterable[str]) -> int:
        deleted, _ = SearchDocument.objects.using(self.using).filter(kind=kind, key__in=list(keys)).delete()
        return deleted

    @staticmethod
    def _row(doc: Document, now) -> SearchDocument:
        if not doc.kind or not doc.key:
            raise ValueError("a search document needs a kind and a key")
        analysed = analyse_document(doc)
        return SearchDocument(
            kind=doc.kind, key=doc.key, title=doc.title[:300], keywords=doc.keywords, body=doc.body,
            region_code=doc.region_code or "", audience=doc.audience or "", themes=list(doc.themes),
            popularity=max(float(doc.popularity or 0.0), 0.0), data=doc.data or {}, updated_at=now,
            title_terms=analysed.title_terms, keyword_terms=analysed.keyword_terms,
            body_terms=analysed.body_terms, title_text=analysed.title_text[:300],
            keyword_text=analysed.keyword_text,
        )

    # --- reading --------------------------------------------------------------------------
    def search(self, query: str, *, kind: str, audience: str | None = None, region: str | None = None,
               theme: str | None = None, limit: int = 20) -> list[Hit]:
        """Best documents of `kind` for what a person typed; [] for an empty query."""
        from ..selectors import synonym_table

        analysed = analyse(query or "", synonym_table())
        if analysed.is_empty:
            return []
        limit = max(1, min(int(limit), MAX_LIMIT))
        return self._search(analysed, Filters(kind, audience or None, region or None, theme or None), limit)

    def suggest(self, prefix: str, *, kind: str, limit: int = 8) -> list[str]:
        """Titles to offer while someone types (see `suggest_hits`)."""
        return [hit.title for hit in self.suggest_hits(prefix, kind=kind, limit=limit)]

    def suggest_hits(self, prefix: str, *, kind: str, limit: int = 8) -> list[Hit]:
        """Documents to offer while someone types, one per title: titles containing what was
        typed first (`exact`, scored by popularity), then the best matches of it read as a
        query whose last word is unfinished (scored by relevance)."""
        from ..selectors import synonym_table

        analysed = analyse(prefix or "", synonym_table(), prefix=True)
        if analysed.is_empty:
            return []
        limit = max(1, min(int(limit), MAX_LIMIT))
        rows = (SearchDocument.objects.using(self.using)
                .filter(kind=kind, title_text__contains=analysed.core)
                .order_by("-popularity", "title")
                .values_list("kind", "key", "title", "data", "popularity")[:limit * 2])
        hits = [Hit(k, key, title, float(pop), decode_json(data) or {}, exact=True)
                for k, key, title, data, pop in rows]
        if len(hits) < limit:
            hits += self._search(analysed, Filters(kind), limit * 4)
        by_title: dict[str, Hit] = {}
        for hit in hits:
            by_title.setdefault(hit.title, hit)
        return list(by_title.values())[:limit]

    @abstractmethod
    def _search(self, query: Query, filters: Filters, limit: int) -> list[Hit]: ...


def get_backend(using: str = "default") -> SearchBackend:
    """The backend for the database in use: PostgreSQL in production and CI, SQLite embedded."""
    vendor = connections[using].vendor
    if vendor == "postgresql":
        from .postgres import PostgresBackend

        return PostgresBackend(using)
    if vendor == "sqlite":
        from .sqlite import SqliteBackend

        return SqliteBackend(using)
    raise ImproperlyConfigured(f"tongban.search has no backend for the {vendor} database")


__all__ = ["Document", "Filters", "Hit", "SearchBackend", "get_backend"]
