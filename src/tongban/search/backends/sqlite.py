"""SQLite: FTS5 finds candidates, Python ranks them (scoring.py).

FTS5 indexes the same pre-segmented columns as PostgreSQL (migration 0002, external content
kept in step by triggers). Every lexeme is double-quoted in the MATCH string, so FTS5 syntax
typed by a user (`NEAR(`, `*`, `"`, `OR`) is never syntax. When FTS5 finds nothing, a typo
fallback looks for documents sharing a character pair with the query and ranks them by
similarity alone.
"""

from __future__ import annotations

from .. import constants as c
from .. import text
from ..query import Query, Term
from ..scoring import rank
from .base import ROW_COLUMNS, Filters, Hit, SearchBackend, decode_json, row_to_candidate

BM25_WEIGHTS = f"{c.WEIGHT_A}, {c.WEIGHT_B}, {c.WEIGHT_C}"
FALLBACK_PAIRS = 8


def fts_term(term: Term) -> str:
    alternatives = []
    for alt in term.alternatives:
        if term.prefix:
            alternatives.append(f'"{alt[0]}"*')
        elif len(alt) == 1:
            alternatives.append(f'"{alt[0]}"')
        else:
            alternatives.append("(" + " AND ".join(f'"{lex}"' for lex in alt) + ")")
    return " OR ".join(alternatives)


def fts_query(terms: tuple[Term, ...]) -> str:
    """One MATCH string: any term. Lexemes are letters and digits only (query.py)."""
    return " OR ".join(f"({fts_term(t)})" for t in terms)


def _filter_sql(filters: Filters) -> tuple[str, list]:
    sql, params = ["d.kind = %s"], [filters.kind]
    if filters.audience:
        sql.append("d.audience IN (%s, 'both', '')")
        params.append(filters.audience)
    if filters.theme:
        sql.append("EXISTS (SELECT 1 FROM json_each(d.themes) WHERE json_each.value = %s)")
        params.append(filters.theme)
    return " AND ".join(sql), params


# The SQL below formats in only code-made fragments (column lists, placeholders); every value
# is a parameter.
class SqliteBackend(SearchBackend):
    vendor = "sqlite"

    def _search(self, query: Query, filters: Filters, limit: int) -> list[Hit]:
        rows: list[tuple] = []
        for terms, whole in query.retrieval_stages():
            rows = rows or self._candidates(terms, whole, filters)
        fuzzy = not rows
        if fuzzy:
            rows = self._fuzzy_candidates(query, filters)
        ranked = rank(query, map(row_to_candidate, rows), key=lambda shown: shown[1], region=filters.region,
                      limit=limit, fuzzy=fuzzy)
        return [Hit(kind, key, title, round(value, 4), decode_json(data) or {})
                for value, (kind, key, title, data) in ranked]

    def _candidates(self, terms: tuple[Term, ...], whole: bool, filters: Filters) -> list[tuple]:
        where, params = _filter_sql(filters)
        match = fts_query(terms) if whole else f"{{title_terms keyword_terms}} : ({fts_query(terms)})"
        sql = f"""
            SELECT {ROW_COLUMNS} FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid
            WHERE search_fts MATCH %s AND {where} ORDER BY bm25(search_fts, {BM25_WEIGHTS}) LIMIT %s"""  # noqa: S608
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [match, *params, c.CANDIDATES])
            return cursor.fetchall()

    def _fuzzy_candidates(self, query: Query, filters: Filters) -> list[tuple]:
        """Typos no lexeme caught: documents sharing a character pair with the query."""
        pairs = sorted(text.char_bigrams(query.core))[:FALLBACK_PAIRS]
        if not pairs:
            return []
        where, params = _filter_sql(filters)
        any_pair = " OR ".join(["instr(d.title_text, %s) > 0 OR instr(d.keyword_text, %s) > 0"] * len(pairs))
        sql = f"SELECT {ROW_COLUMNS} FROM search_searchdocument d WHERE {where} AND ({any_pair}) LIMIT %s"  # noqa: S608
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [*params, *(p for pair in pairs for p in (pair, pair)), c.CANDIDATES])
            return cursor.fetchall()
