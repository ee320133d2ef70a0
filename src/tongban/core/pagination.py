"""`?page=&page_size=` (page_size ≤ 100) → `{"count", "items"}` for every list (INTERFACES.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet

from .errors import FieldError

MAX_PAGE_SIZE = 100


def paginate(rows: QuerySet | list, page: int = 1, page_size: int = 20,
             serialise: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    if page < 1:
        raise FieldError("page", "页码应为大于等于1的整数")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise FieldError("page_size", f"每页条数应在1到{MAX_PAGE_SIZE}之间")
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    start = (page - 1) * page_size
    # past the last page: nothing to read (and an offset beyond 64 bits would overflow the database's)
    chunk: Iterable[Any] = rows[start:start + page_size] if start < count else []
    items = [serialise(r) for r in chunk] if serialise else list(chunk)
    return {"count": count, "page": page, "page_size": page_size, "items": items}
