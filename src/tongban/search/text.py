"""Text primitives shared by indexing and querying: normalisation, segmentation, pinyin.

Both sides of the index go through the same functions, so a document and a query written
the same way always produce the same lexemes. A lexeme is a run of letters and digits only
(Unicode categories L and N, lower-cased): it can be put inside a tsquery or an FTS5 string
without any syntax meaning, which is what makes every query plain text.

jieba loads its dictionary (≈ 0.6–1.5 s) on first use, once per process, never at import.
"""

from __future__ import annotations

import itertools
import logging
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

from .constants import PINYIN_SYLLABLES

_jieba_lock = threading.Lock()
_jieba_ready = False
_MAX_SYLLABLE = max(len(s) for s in PINYIN_SYLLABLES)


def _jieba():
    """The jieba module with its dictionary loaded (once per process, thread-safe)."""
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_ready = True
    return jieba


def warm_up() -> None:
    """Load the dictionaries now rather than in the first search (a worker may call this once
    after it starts; importing this module never does)."""
    _jieba()
    _opencc()
    syllables("预热")


@lru_cache(maxsize=1)
def _opencc():
    from opencc import OpenCC

    return OpenCC("t2s")


def normalise(text: str, limit: int | None = None) -> str:
    """NFKC (full-width → half-width), traditional → simplified, lower case; emoji, symbols
    and punctuation become spaces; control, format (zero-width) and combining characters
    vanish. Whitespace is collapsed and the result cut to `limit` characters."""
    if limit is not None:
        text = text[: limit * 4]  # bound the work before the per-character passes
    text = _opencc().convert(unicodedata.normalize("NFKC", text))
    out = []
    for ch in text:
        major = unicodedata.category(ch)[0]
        if major in "LN":
            out.append(ch.lower())
        elif major in "PSZ":
            out.append(" ")
        # C* (control, format, zero-width, private use) and M* (combining marks) are dropped
    text = " ".join("".join(out).split())
    return text[:limit].rstrip() if limit is not None else text


def is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0002ffff"


def clean_lexeme(token: str) -> str:
    """Letters and digits only: whatever else a token holds is syntax to some engine."""
    return "".join(ch for ch in token.lower() if unicodedata.category(ch)[0] in "LN")


def words(text: str) -> list[str]:
    """Search segmentation (`jieba.cut_for_search`: words and their sub-words), lexemes only."""
    return [lex for tok in _jieba().cut_for_search(text) if (lex := clean_lexeme(tok))]


def coarse_words(text: str) -> list[str]:
    """Accurate-mode segmentation: the word boundaries a person would type initials by."""
    return [lex for tok in _jieba().cut(text) if (lex := clean_lexeme(tok))]


def han_runs(text: str) -> Iterator[str]:
    """Maximal runs of Chinese characters."""
    run: list[str] = []
    for ch in text:
        if is_han(ch):
            run.append(ch)
        elif run:
            yield "".join(run)
            run = []
    if run:
        yield "".join(run)


@lru_cache(maxsize=4096)
def syllables(text: str) -> tuple[str, ...]:
    """Tone-less pinyin of a run of Chinese characters, one syllable per character."""
    from pypinyin import lazy_pinyin

    return tuple(clean_lexeme(s) for s in lazy_pinyin(text))


def syllable_pairs(sylls: Iterable[str]) -> list[str]:
    """Adjacent syllables joined ("ying", "ye", "zhi" → "yingye", "yezhi"): the unit homophones
    and pinyin queries are matched by, independent of how jieba segmented either side."""
    seq = list(sylls)
    if len(seq) == 1:
        return seq
    return [a + b for a, b in itertools.pairwise(seq)]


def initials(words_: Iterable[str]) -> str:
    """First letters of each character's pinyin ("食品经营许可" → "spjyxk"); ASCII kept as is."""
    out = []
    for word in words_:
        for run in _split_han(word):
            out.append("".join(s[0] for s in syllables(run) if s) if is_han(run[0]) else run)
    return "".join(out)


def _split_han(word: str) -> Iterator[str]:
    """A word cut into alternating runs of Chinese and non-Chinese characters."""
    start = 0
    for i in range(1, len(word) + 1):
        if i == len(word) or is_han(word[i]) != is_han(word[start]):
            yield word[start:i]
            start = i


def split_pinyin(text: str, *, partial_tail: bool = False) -> list[str] | None:
    """Split a run of ASCII letters into pinyin syllables ("shipinjingying" → shi pin jing ying),
    preferring fewer, longer syllables; None when it is not pinyin. With `partial_tail`, the
    last piece may be the start of a syllable ("shipinj" → shi pin j) — typing in progress."""
    n = len(text)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(min(n, i + _MAX_SYLLABLE), i, -1):
            piece = text[i:j]
            ok = piece in PINYIN_SYLLABLES or (partial_tail and j == n and _starts_syllable(piece))
            if ok and (best[j] is None or len(best[i]) + 1 < len(best[j])):
                best[j] = [*best[i], piece]
    return best[n]


@lru_cache(maxsize=1)
def _syllable_prefixes() -> frozenset[str]:
    return frozenset(s[:k] for s in PINYIN_SYLLABLES for k in range(1, len(s) + 1))


def _starts_syllable(piece: str) -> bool:
    return piece in _syllable_prefixes()


def char_bigrams(text: str) -> set[str]:
    """Character bigrams of the Chinese runs (a single character stands for itself)."""
    grams: set[str] = set()
    for run in han_runs(text):
        grams.update(run[i:i + 2] for i in range(max(1, len(run) - 1)))
    return grams
