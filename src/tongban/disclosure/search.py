"""Chinese full text for documents: jieba's search-mode tokens stored space-joined, matched
token by token (works the same on PostgreSQL and SQLite)."""

from __future__ import annotations

import re

from tongban.core.privacy import _pseg

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def tokens(text: str, limit: int = 20000) -> str:
    jieba = _pseg().dt.tokenizer
    words = {w for w in jieba.cut_for_search(text[:limit]) if not _PUNCT.fullmatch(w)}
    return " " + " ".join(sorted(words)) + " "


def query_tokens(q: str) -> list[str]:
    """The query's words. Single characters (只, 的, 和) are dropped when the query has longer words:
    they narrow almost nothing and no index can find them (pg_trgm needs three characters)."""
    jieba = _pseg().dt.tokenizer
    words = [w for w in jieba.cut(q.strip()[:100]) if not _PUNCT.fullmatch(w)]
    longer = [w for w in words if len(w) > 1]
    return (longer or words)[:10]
