"""What a document looks like to the index.

`Document` is what apps hand to `SearchBackend.index()`. `analyse_document()` turns it into
the stored, engine-neutral form: for each field a space-joined list of lexemes (jieba words,
pairs of pinyin syllables, initials), plus the normalised title and keywords for phrase and
similarity matching. PostgreSQL builds its weighted tsvector from these columns, SQLite its
FTS5 rows; neither engine segments Chinese itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from . import text


@dataclass(frozen=True)
class Document:
    """A searchable thing. `kind` + `key` identify it (e.g. "item", "SCJG-XK-008"); `keywords`
    are the words people use for it, separated by spaces or commas; `body` is any further text
    (guide, materials …). `audience` is "person", "enterprise" or "both"; `popularity` a
    non-negative count such as views and applications of the last 30 days; `data` is returned
    with each hit for display (department name …)."""

    kind: str
    key: str
    title: str
    keywords: str = ""
    body: str = ""
    region_code: str = ""
    audience: str = ""
    themes: tuple[str, ...] = ()
    popularity: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AnalysedDocument:
    title_terms: str
    keyword_terms: str
    body_terms: str
    title_text: str  # normalised title without spaces, for phrase and similarity matching
    keyword_text: str  # "|kw1|kw2|…|", normalised keywords without spaces


def phrases(value: str) -> list[str]:
    """A field cut into its phrases (normalisation turns commas and brackets into spaces)."""
    return text.normalise(value).split()


def phrase_lexemes(phrase: str) -> list[str]:
    """Words, pinyin syllable pairs and initials of one phrase.

    Initials are indexed from every word boundary to the end ("办营业执照" → "byyzz", "yyzz"),
    so an initials query finds a name also when it starts inside a keyword."""
    out = text.words(phrase)
    for run in text.han_runs(phrase):
        out.extend(text.syllable_pairs(text.syllables(run)))
    coarse = text.coarse_words(phrase)
    if any(text.is_han(ch) for ch in phrase):
        for i in range(len(coarse)):
            abbr = text.initials(coarse[i:])
            if len(abbr) >= 2:
                out.append(abbr)
    return out


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def analyse_document(doc: Document) -> AnalysedDocument:
    return _analyse(doc.title, doc.keywords, doc.body)


@lru_cache(maxsize=512)  # the same item implemented in many regions is analysed once
def _analyse(title: str, keywords: str, body: str) -> AnalysedDocument:
    title_phrases = phrases(title)
    keyword_phrases = phrases(keywords)
    return AnalysedDocument(
        title_terms=" ".join(lex for p in title_phrases for lex in phrase_lexemes(p)),
        keyword_terms=" ".join(lex for p in keyword_phrases for lex in phrase_lexemes(p)),
        body_terms=" ".join(_dedupe(text.words(text.normalise(body)))),
        title_text="".join(title_phrases),
        keyword_text="|" + "|".join(keyword_phrases) + "|" if keyword_phrases else "",
    )
