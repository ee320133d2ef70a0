"""PostgreSQL: weighted tsvectors (GIN) find and rank, pg_trgm (GIN) catches typos.

The query's terms become tsqueries built with `to_tsquery('simple', …)` from quoted lexemes
(letters and digits only, passed as parameters), so nothing a user types is ever tsquery or
SQL syntax. One statement per retrieval stage (query.Query.retrieval_stages; usually the
first finds something):

1. candidates: documents matching any of the stage's terms in `head_vector` (title and
   keywords) or `search_vector` (all), the best CANDIDATES by ts_rank;
2. ranking, as scoring.py states it: Σ term weight × min(ts_rank_cd(term), cap) + phrase
   bonus + popularity + region; the best RERANK_TOP of these also get pg_trgm word_similarity
   of query and title + keywords.

When no term matches anywhere, pg_trgm alone finds documents whose title or keywords are
similar to the query (typo fallback, threshold FUZZY_MIN_SIMILARITY).
"""

from __future__ import annotations

from django.db import transaction

from .. import constants as c
from ..query import Query, Term
from ..scoring import TERM_CAP
from .base import Filters, Hit, SearchBackend, decode_json

WEIGHTS = "{" + ",".join(str(w) for w in c.FIELD_WEIGHTS) + "}"  # {D,C,B,A}


def tsquery_text(term: Term) -> str:
    """Input for to_tsquery('simple', …): quoted lexemes, `:*` for prefixes, & within an
    alternative, | between alternatives."""
    parts = []
    for alt in term.alternatives:
        if term.prefix:
            parts.append(f"'{alt[0]}':*")
        elif len(alt) == 1:
            parts.append(f"'{alt[0]}'")
        else:
            parts.append("(" + " & ".join(f"'{lex}'" for lex in alt) + ")")
    return " | ".join(parts)


def _filter_sql(filters: Filters) -> tuple[str, list]:
    sql, params = ["d.kind = %s"], [filters.kind]
    if filters.audience:
        sql.append("d.audience IN (%s, 'both', '')")
        params.append(filters.audience)
    if filters.theme:
        sql.append("d.themes @> jsonb_build_array(%s::text)")
        params.append(filters.theme)
    return " AND ".join(sql), params


def _extras_sql(query: Query, filters: Filters) -> tuple[str, list]:
    """Phrase bonus + popularity + region, as SQL over `d` (scoring.extras)."""
    sql = ["%s * d.popularity / (d.popularity + %s)"]
    params: list = [c.POPULARITY_WEIGHT, c.POPULARITY_HALF]
    if len(query.core) >= 2:
        sql += ["CASE WHEN strpos(d.title_text, %s) > 0 THEN %s ELSE 0 END",
                "CASE WHEN strpos(d.keyword_text, %s) > 0 THEN %s ELSE 0 END",
                "CASE WHEN strpos(d.keyword_text, %s) > 0 THEN %s ELSE 0 END"]
        params += [query.core, c.PHRASE_IN_TITLE, query.core, c.PHRASE_IN_KEYWORDS,
                   f"|{query.core}|", c.PHRASE_IS_KEYWORD]
    if filters.region:
        sql.append("CASE WHEN d.region_code = %s THEN %s ELSE 0 END")
        params += [filters.region, c.REGION_WEIGHT]
    return " + ".join(sql), params


class PostgresBackend(SearchBackend):
    vendor = "postgresql"

    def _search(self, query: Query, filters: Filters, limit: int) -> list[Hit]:
        rows: list[tuple] = []
        for terms, whole in query.retrieval_stages():
            rows = rows or self._ranked(query, terms, "search_vector" if whole else "head_vector", filters, limit)
        rows = rows or self._fuzzy(query, filters, limit)
        return [Hit(kind, key, title, round(float(score), 4), decode_json(data) or {})
                for kind, key, title, data, score in rows]

    def _ranked(self, query: Query, finding: tuple[Term, ...], vector: str, filters: Filters,
                limit: int) -> list[tuple]:
        terms = list(query.terms)
        any_term = " | ".join(f"({tsquery_text(t)})" for t in finding)
        columns = ", ".join(f"to_tsquery('simple', %s) AS t{i}" for i in range(len(terms)))
        relevance = " + ".join(f"%s * LEAST(ts_rank_cd(%s::float4[], d.search_vector, q.t{i}), %s)"
                               for i in range(len(terms)))
        where, filter_params = _filter_sql(filters)
        extras, extra_params = _extras_sql(query, filters)
        # Only code-made fragments are formatted in; every value is a parameter.
        sql = f"""
            WITH q AS MATERIALIZED (SELECT to_tsquery('simple', %s) AS q_any, {columns}),
            cand AS MATERIALIZED (
                SELECT d.id FROM q, search_searchdocument d
                WHERE d.{vector} @@ q.q_any AND {where}
                ORDER BY ts_rank(%s::float4[], d.{vector}, q.q_any) DESC
                LIMIT %s),
            based AS MATERIALIZED (
                SELECT d.id, d.key, ({relevance}) + {extras} AS base
                FROM q, cand JOIN search_searchdocument d ON d.id = cand.id
                ORDER BY base DESC, d.key
                LIMIT %s)
            SELECT d.kind, d.key, d.title, d.data, based.base + %s * word_similarity(%s, d.fuzzy_text) AS score
            FROM based JOIN search_searchdocument d ON d.id = based.id
            ORDER BY score DESC, d.key
            LIMIT %s"""  # noqa: S608
        params = [any_term, *(tsquery_text(t) for t in terms), *filter_params, WEIGHTS, c.CANDIDATES]
        for term in terms:
            params += [term.weight, WEIGHTS, TERM_CAP]
        params += [*extra_params, c.RERANK_TOP, c.SIMILARITY_WEIGHT, query.core, limit]
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _fuzzy(self, query: Query, filters: Filters, limit: int) -> list[tuple]:
        """No term matched: documents whose title or a keyword is similar to the query."""
        if len(query.core) < 2:
            return []
        where, filter_params = _filter_sql(filters)
        extras, extra_params = _extras_sql(query, filters)
        sql = f"""
            SELECT d.kind, d.key, d.title, d.data, {extras} + %s * word_similarity(%s, d.fuzzy_text) AS score
            FROM search_searchdocument d
            WHERE %s <%% d.fuzzy_text AND {where}
            ORDER BY score DESC, d.key
            LIMIT %s"""  # noqa: S608
        with transaction.atomic(using=self.using), self.connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                           [str(c.FUZZY_MIN_SIMILARITY)])
            cursor.execute(sql, [*extra_params, c.SIMILARITY_WEIGHT, query.core, query.core, *filter_params, limit])
            return cursor.fetchall()
