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
    jieba = _pseg().dt.tokenizer
    return [w for w in jieba.cut(q.strip()[:100]) if not _PUNCT.fullmatch(w)][:10]
