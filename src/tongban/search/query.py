"""Shared query handling: from what a person typed to weighted terms, the same for every backend.

    raw → normalise (NFKC, traditional → simplified, emoji/control/zero-width out, ≤ 100 chars)
        → strip filler ("开饭店要办什么证" → "开饭店")
        → Chinese: jieba words + synonyms (table + editors' Synonym rows) + pinyin syllable pairs
          (homophones and typos: "经荧" sounds like "经营")
        → ASCII letters only: pinyin ("shipin jingying" → syllable pairs) and initials ("spjyxk").

Every lexeme is letters and digits only (`text.clean_lexeme`), so nothing a user types can
reach an engine as syntax: `' OR 1=1 --`, `%`, `"`, `*`, `NEAR(`, `&|!:` are plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from . import constants as c
from . import text

Alternative = tuple[str, ...]  # lexemes that must all match


@dataclass(frozen=True)
class Term:
    """One thing the query asks for: any of `alternatives` satisfies it. With `prefix`, each
    alternative is a single lexeme matched as a prefix (initials, typing in progress)."""

    alternatives: tuple[Alternative, ...]
    weight: float
    prefix: bool = False
    selective: bool = True  # worth finding candidates by (not a single character or a sound)
    # Per alternative, the space-padded strings a re-ranker counts: " lex " or, for a prefix, " lex".
    patterns: tuple[tuple[str, ...], ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.prefix:
            patterns = tuple((f" {alt[0]}",) for alt in self.alternatives)
        else:
            patterns = tuple(tuple(f" {lex} " for lex in alt) for alt in self.alternatives)
        object.__setattr__(self, "patterns", patterns)

    @property
    def lexemes(self) -> list[str]:
        return [lex for alt in self.alternatives for lex in alt]


@dataclass(frozen=True)
class Query:
    raw: str
    text: str  # normalised and cut: what is logged
    core: str  # filler stripped, spaces removed: what phrase and similarity matching compare
    terms: tuple[Term, ...]

    @property
    def is_empty(self) -> bool:
        return not self.terms

    def retrieval_stages(self) -> list[tuple[tuple[Term, ...], bool]]:
        """(terms, whole document?) to find candidates by, in order, until one finds any.

        First the selective terms (words, synonyms) in titles and keywords only: a word every
        guide text holds ("大连") then finds no more than it should. Then all terms (single
        characters and sounds too: typos, homophones) in titles and keywords; then everywhere.
        Ranking always uses all terms over the whole document."""
        selective = tuple(t for t in self.terms if t.selective)
        stages = [(selective, False)] if selective and len(selective) < len(self.terms) else []
        return [*stages, (self.terms, False), (self.terms, True)]


_TRAILING_HOW = re.compile(r"(怎么办|咋办|怎么弄)$")
_ASCII_QUERY = re.compile(r"^[a-z0-9 ]+$")


def strip_fillers(value: str) -> str:
    """Remove the words around the need; keep the need ("身份证丢了怎么办" → "身份证丢了")."""
    value = _TRAILING_HOW.sub("", value.strip())
    for filler in c.FILLERS:
        value = value.replace(filler, " ")
    return " ".join(value.split())


SynonymTable = dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def starter_synonyms() -> SynonymTable:
    table: dict[str, list[str]] = {}
    for group in c.STARTER_GROUPS:
        for term in group:
            table.setdefault(term, []).extend(t for t in group if t != term)
    for term, targets in c.STARTER_RULES.items():
        table.setdefault(term, []).extend(targets)
    return {term: tuple(dict.fromkeys(targets)) for term, targets in table.items()}


def merge_synonyms(base: SynonymTable, rows: list[tuple[str, list[str], bool]]) -> SynonymTable:
    """The starter table plus editors' rows (term, synonyms, mutual); all keys normalised."""
    table = {term: list(targets) for term, targets in base.items()}
    for term, targets, mutual in rows:
        key = _compact(term)
        cleaned = [t for t in (_compact(s) for s in targets) if t and t != key]
        if not key or not cleaned:
            continue
        table.setdefault(key, []).extend(cleaned)
        if mutual:
            group = [key, *cleaned]
            for member in cleaned:
                table.setdefault(member, []).extend(t for t in group if t != member)
    return {term: tuple(dict.fromkeys(targets)) for term, targets in table.items()}


def _compact(value: str) -> str:
    return text.normalise(value, c.MAX_QUERY_CHARS).replace(" ", "")


def analyse(raw: str, synonyms: SynonymTable | None = None, *, prefix: bool = False) -> Query:
    """The terms of a query. `prefix` treats the last word as unfinished (suggestions)."""
    normalised = text.normalise(raw or "", c.MAX_QUERY_CHARS)
    core_text = strip_fillers(normalised)
    core = core_text.replace(" ", "")
    if not core:
        return Query(raw, normalised, "", ())
    if _ASCII_QUERY.match(core_text) and any(ch.isalpha() for ch in core_text):
        terms = _ascii_terms(core_text, prefix=prefix)
    else:
        terms = _chinese_terms(core_text, core, starter_synonyms() if synonyms is None else synonyms, prefix)
    return Query(raw, normalised, core, tuple(_dedupe_terms(terms))[: c.MAX_TERMS])


def _word_weight(word: str) -> float:
    return c.WORD_WEIGHT.get(len(word), c.LONG_WORD_WEIGHT)


def _chinese_terms(core_text: str, core: str, synonyms: SynonymTable, prefix: bool) -> list[Term]:
    terms = [Term(((w,),), _word_weight(w), selective=len(w) > 1) for w in text.words(core_text)
             if w not in c.STOPWORDS]
    terms.extend(_synonym_terms(core, synonyms))
    for run in _sound_runs(core_text):
        terms.extend(Term(((pair,),), c.PINYIN_PAIR_WEIGHT, selective=False)
                     for pair in text.syllable_pairs(text.syllables(run)))
    if prefix and terms and core_text[-1:].isascii():
        last = text.clean_lexeme(core_text.split()[-1])
        terms.append(Term(((last,),), c.INITIALS_WEIGHT, prefix=True))
    return terms


def _sound_runs(core_text: str) -> list[str]:
    """Runs of Chinese characters between stop words ("护昭办理" → "护昭"): what the syllable
    pairs are taken from, so that "办理" does not find every title ending in 办理."""
    runs, run = [], ""
    for word in text.coarse_words(core_text):
        if word in c.STOPWORDS or not all(text.is_han(ch) for ch in word):
            runs.append(run)
            run = ""
        else:
            run += word
    runs.append(run)
    return [r for r in runs if r]


def _synonym_terms(core: str, synonyms: SynonymTable) -> list[Term]:
    """One term per synonym found in the query, longest first and not inside a longer one."""
    taken: list[tuple[int, int]] = []
    terms = []
    for key in sorted((k for k in synonyms if k in core), key=len, reverse=True):
        start = core.find(key)
        end = start + len(key)
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        alternatives = tuple(alt for phrase in synonyms[key] if (alt := _alternative(phrase)))
        if alternatives:
            terms.append(Term(alternatives, c.SYNONYM_WEIGHT))
    return terms


def _alternative(phrase: str) -> Alternative:
    return tuple(w for w in text.coarse_words(phrase) if w not in c.STOPWORDS)


def _ascii_terms(core_text: str, *, prefix: bool) -> list[Term]:
    """A query of ASCII letters: full pinyin, initials, or a literal word such as "ktv"."""
    parts = core_text.split()
    joined = "".join(parts)
    terms = [Term(((p,),), 1.0, prefix=prefix and i == len(parts) - 1) for i, p in enumerate(parts)]
    letters = re.sub(r"[0-9]", "", joined)
    sylls = text.split_pinyin(letters, partial_tail=prefix) if letters else None
    if sylls and len(sylls) >= 2:
        pairs = text.syllable_pairs(sylls)
        terms.extend(Term(((p,),), c.PINYIN_QUERY_PAIR_WEIGHT, prefix=prefix and i == len(pairs) - 1)
                     for i, p in enumerate(pairs))
    if 2 <= len(letters) <= 16:
        terms.append(Term(((letters,),), c.INITIALS_WEIGHT, prefix=True))
    return terms


def _dedupe_terms(terms: list[Term]) -> list[Term]:
    seen: dict[tuple, Term] = {}
    for term in terms:
        key = (term.alternatives, term.prefix)
        if key not in seen or seen[key].weight < term.weight:
            seen[key] = term
    return list(seen.values())
