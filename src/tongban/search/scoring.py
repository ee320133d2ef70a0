"""The ranking formula, in Python. The SQLite backend re-ranks its FTS5 candidates with it;
the PostgreSQL backend computes the same components in SQL (ts_rank_cd, pg_trgm).

    score = Σ_terms weight × min(Σ_fields field_weight × occurrences, TERM_CAP)   relevance
          + phrase bonus (the cleaned query inside the title / a keyword / is a keyword)
          + SIMILARITY_WEIGHT × similarity(query, title or best keyword)      typos
          + POPULARITY_WEIGHT × p / (p + POPULARITY_HALF)                      popularity
          + REGION_WEIGHT if the document is of the searcher's region          region
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from . import constants as c
from . import text
from .query import Query, Term

TERM_CAP = 1.2  # a term counts at most this much, however often it occurs
T = TypeVar("T")


@dataclass
class Candidate:
    """A stored document as the re-ranker sees it."""

    title_terms: str
    keyword_terms: str
    body_terms: str
    title_text: str
    keyword_text: str
    popularity: float = 0.0
    region_code: str = ""

    def __post_init__(self) -> None:
        # Space-padded, so that " lex " counts whole lexemes and " lex" counts a prefix.
        self.fields = (
            (c.WEIGHT_A, f" {self.title_terms} "),
            (c.WEIGHT_B, f" {self.keyword_terms} "),
            (c.WEIGHT_C, f" {self.body_terms} "),
        )


def term_rank(term: Term, cand: Candidate) -> float:
    """Like ts_rank_cd of the term alone: each occurrence counts its field's weight; capped."""
    rank = 0.0
    for weight, tokens in cand.fields:
        for alt in term.patterns:
            rank += weight * (tokens.count(alt[0]) if len(alt) == 1 else min(tokens.count(p) for p in alt))
    return min(rank, TERM_CAP)


def phrase_bonus(core: str, cand: Candidate) -> float:
    if len(core) < 2:
        return 0.0
    bonus = 0.0
    if core in cand.title_text:
        bonus += c.PHRASE_IN_TITLE
    if core in cand.keyword_text:
        bonus += c.PHRASE_IN_KEYWORDS
        if f"|{core}|" in cand.keyword_text:
            bonus += c.PHRASE_IS_KEYWORD
    return bonus


def similarity(grams: frozenset[str], cand: Candidate) -> float:
    """Dice coefficient of the query's character pairs and those of the title or of a keyword
    (the best); a target of n characters is taken to have n - 1 pairs."""
    if not grams:
        return 0.0
    best = 0.0
    for target in (cand.title_text, *cand.keyword_text.split("|")):
        if target:
            shared = sum(1 for g in grams if g in target)
            if shared:
                best = max(best, 2 * shared / (len(grams) + max(1, len(target) - 1)))
    return best


@lru_cache(maxsize=256)
def query_grams(core: str) -> frozenset[str]:
    return frozenset(text.char_bigrams(core))


def popularity_boost(popularity: float) -> float:
    p = max(popularity, 0.0)
    return c.POPULARITY_WEIGHT * p / (p + c.POPULARITY_HALF)


def relevance(query: Query, cand: Candidate) -> float:
    return sum(term.weight * term_rank(term, cand) for term in query.terms)


def extras(query: Query, cand: Candidate, region: str | None = None) -> float:
    """Phrase bonus + popularity + region."""
    total = phrase_bonus(query.core, cand) + popularity_boost(cand.popularity)
    if region and cand.region_code == region:
        total += c.REGION_WEIGHT
    return total


def rank(query: Query, candidates: Iterable[tuple[Candidate, T]], *, key: Callable[[T], str],
         region: str | None = None, limit: int = 20, fuzzy: bool = False) -> list[tuple[float, T]]:
    """The best `limit` candidates, best first, ties by key. Similarity, the costly part, is
    added to the RERANK_TOP best by the rest of the score only. A candidate no term matched
    counts only in the `fuzzy` fallback, and there only if similar enough."""
    based = []
    for cand, item in candidates:
        value = relevance(query, cand)
        if value > 0 or fuzzy:
            based.append((value + extras(query, cand, region), cand, item))
    based.sort(key=lambda entry: (-entry[0], key(entry[2])))
    grams = query_grams(query.core)
    scored = []
    for base, cand, item in based[: c.RERANK_TOP]:
        sim = similarity(grams, cand)
        if fuzzy and sim < c.FUZZY_MIN_SIMILARITY:
            continue
        scored.append((base + c.SIMILARITY_WEIGHT * sim, item))
    scored.sort(key=lambda entry: (-entry[0], key(entry[1])))
    return scored[:limit]
