"""The catalogue's side of search: the documents it indexes and the query it asks.

The search engine itself (`tongban.search`: PostgreSQL and SQLite backends, normalisation,
synonyms, pinyin) is its own app. Until it is installed, items are found by a plain
name-and-keyword match so the route still answers; see `_fallback`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db.models import Q

from .models import Material, ServiceItem

log = logging.getLogger(__name__)
MAX_QUERY = 100  # characters: a 10,000-character query is cut to a sane length
MAX_SUGGESTIONS = 20
BUNDLE_SUGGESTIONS = 2  # at most this many bundles lead the suggestions


def backend() -> Any | None:
    """The search backend, or None while the search app is not installed."""
    if not apps.is_installed("tongban.search"):
        return None
    try:
        from tongban.search.backends import get_backend  # the interface the search app promises
    except ImportError:
        from tongban.search.backends.base import get_backend
    return get_backend()


def _as_documents(docs: list[dict[str, Any]]) -> list[Any]:
    from tongban.search.indexing import Document

    return [Document(**{**d, "themes": tuple(d["themes"])}) for d in docs]


def document(item: ServiceItem, materials: Iterable[Material]) -> dict[str, Any]:
    elements = item.current_version.elements if item.current_version_id else {}
    body = " ".join([*elements.get("conditions", []), *(m.name for m in materials),
                     *elements.get("basis", []), item.department.name])
    return {
        "kind": "item", "key": item.code, "title": item.name, "keywords": " ".join(item.keywords),
        "body": body, "region_code": item.region_id, "audience": item.audience, "themes": item.themes,
        "popularity": item.popularity,
        "data": {"department": item.department_id, "department_name": item.department.name},
    }


def documents(item_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    items = ServiceItem.objects.filter(active=True).select_related("department", "current_version")
    if item_ids is not None:
        items = items.filter(pk__in=list(item_ids))
    items = list(items)
    names: dict[int, list[Material]] = {}
    for m in Material.objects.filter(version__in=[i.current_version_id for i in items]).only("name", "version_id"):
        names.setdefault(m.version_id, []).append(m)
    return [document(i, names.get(i.current_version_id, [])) for i in items]


def index_items(item_ids: Iterable[int] | None = None) -> int:
    """(Re)index items (all of them without ids). Never fails the caller: search catches up
    on the next publish or `index_items()`."""
    engine = backend()
    if engine is None:
        return 0
    docs = documents(item_ids)
    try:
        engine.index(_as_documents(docs))
    except Exception:  # a search outage must not undo a published version
        log.exception("indexing %d catalogue items failed", len(docs))
        return 0
    return len(docs)


def bundle_documents() -> list[dict[str, Any]]:
    """One search document per active bundle (kind "bundle"), for suggestions as you type."""
    from .models import Bundle

    rows = Bundle.objects.filter(active=True).select_related("lead_department").prefetch_related("items")
    return [{"kind": "bundle", "key": b.code, "title": b.name, "keywords": b.description,
             "body": " ".join(i.name for i in b.items.all()), "region_code": "", "audience": b.audience,
             "themes": [], "popularity": 100 + b.items.count(),
             "data": {"department": b.lead_department_id, "department_name": b.lead_department.name}}
            for b in rows]


def index_bundles() -> int:
    """(Re)index every active bundle; never fails the caller (like `index_items`)."""
    engine = backend()
    if engine is None:
        return 0
    docs = bundle_documents()
    try:
        engine.index(_as_documents(docs))
    except Exception:
        log.exception("indexing %d bundles failed", len(docs))
        return 0
    return len(docs)


def search(q: str, *, audience: str = "", region: str = "", theme: str = "", limit: int = 20,
           log_misses: bool = True) -> list[dict[str, Any]]:
    """Ranked items `{"code", "name", "department", "department_name", "score"}`. An empty
    query gives the popular items."""
    q = (q or "").strip()[:MAX_QUERY]
    if not q:
        return _popular(audience=audience, theme=theme, limit=limit)
    engine = backend()
    if engine is None:
        return _fallback(q, audience=audience, theme=theme, limit=limit)
    hits = engine.search(q, kind="item", audience=audience or None, region=region or None,
                         theme=theme or None, limit=limit)
    if not hits and log_misses and not audience and not theme:  # a filtered miss may be the filter's
        _log_miss(q)
    return [_hit(h) for h in hits]


def _log_miss(q: str) -> None:
    """A query that found nothing goes on the editors' dashboard; never fails the search."""
    from tongban.search.actions import log_no_result

    try:
        log_no_result(q, kind="item")
    except Exception:
        log.exception("logging a no-result query failed")


def suggest(q: str, *, limit: int = 8) -> list[dict[str, Any]]:
    """Suggestions as someone types: `{"kind": "bundle"|"item", "code", "name",
    "department_name"}`, bundles whose name contains what was typed first, then items. The
    query is cut and analysed like a search (plain text, never syntax)."""
    q = (q or "").strip()[:MAX_QUERY]
    engine = backend()
    if not q or engine is None:
        return []
    bundles = [h for h in engine.suggest_hits(q, kind="bundle", limit=BUNDLE_SUGGESTIONS) if h.exact]
    items = engine.suggest_hits(q, kind="item", limit=limit)
    out = [{"kind": h.kind, "code": h.key, "name": h.title, "department_name": (h.data or {}).get("department_name")}
           for h in [*bundles, *items]]
    return out[:limit]


def _hit(hit: Any) -> dict[str, Any]:
    get = hit.get if isinstance(hit, dict) else lambda k, d=None: getattr(hit, k, d)
    data = get("data") or {}
    return {"code": get("key"), "name": get("title"), "department": data.get("department"),
            "department_name": data.get("department_name"), "score": round(float(get("score", 0) or 0), 4)}


def _filtered(audience: str, theme: str):
    items = ServiceItem.objects.filter(active=True).select_related("department")
    if audience:
        items = items.filter(audience__in=[audience, "both"])
    if theme:
        items = items.filter(themes__icontains=theme)
    return items


def _row(item: ServiceItem, score: float) -> dict[str, Any]:
    return {"code": item.code, "name": item.name, "department": item.department_id,
            "department_name": item.department.name, "score": score}


def _popular(*, audience: str, theme: str, limit: int) -> list[dict[str, Any]]:
    items = _filtered(audience, theme).order_by("-popularity", "code")[:limit]
    return [_row(i, 0.0) for i in items]


def _fallback(q: str, *, audience: str, theme: str, limit: int) -> list[dict[str, Any]]:
    # TODO(search): replaced by tongban.search once that app is installed; this only matches
    # whole substrings of the name and keywords.
    rows = _filtered(audience, theme).filter(Q(name__icontains=q) | Q(keywords__icontains=q))
    scored = sorted(((1.0 if q in i.name else 0.5, i) for i in rows), key=lambda s: (-s[0], -s[1].popularity))
    return [_row(i, score) for score, i in scored[:limit]]
