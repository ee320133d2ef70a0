"""Document full text through the database's own index (issue 7: 200,000 documents): the jieba
tokens in `search_tokens` are indexed as whole words, and `search.FullText` asks the index.

PostgreSQL: a stored generated column `search_vector`, the lower-cased tokens taken as lexemes as
they are (`array_to_tsvector`: not `to_tsvector`, whose parser would index 'C++' as c and '3.5%'
as 3.5, so that a search for C found C++), with a GIN index; the trigram index on the tokens
(0005) is no longer read and goes. A token of 200 characters or more (a run of letters in a
pasted code) is left out: a lexeme may not pass 2 kB. Django does not know the column: the
database computes it on every insert and update. Changing the type of `search_tokens` later needs
the column dropped first.

SQLite (the development database): an FTS5 table over `search_tokens` with external content
(rowid = page_ptr_id), kept by three triggers and rebuilt here. The `unicode61` tokenizer, told
that the punctuation jieba leaves inside a token (+#&._%-) belongs to it, keeps every token
whole. Django rebuilds a SQLite table to alter it, which drops its triggers: a later migration
altering `disclosure_policydocumentpage` must run `TRIGGERS` again (tests/test_fulltext.py fails
until it does)."""

from django.db import migrations

TABLE = "disclosure_policydocumentpage"

PG_FORWARD = (
    "SET LOCAL statement_timeout = 0",  # one pass over every document
    f"ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (array_to_tsvector(array_remove("
    r"regexp_split_to_array(lower(regexp_replace(search_tokens, '\S{200,}', '', 'g')), '\s+'), ''))) STORED",
    f"CREATE INDEX disclosure_doc_fulltext ON {TABLE} USING gin (search_vector)",
    "DROP INDEX IF EXISTS disclosure_doc_tokens_trgm",
    # the planner learns the new column's word frequencies at once: without them it takes every
    # word for rare and reads all 49,000 matches of a common one (166 ms instead of 1 ms at 200k)
    f"ANALYZE {TABLE}",
)
PG_BACKWARD = (
    "SET LOCAL statement_timeout = 0",
    f"CREATE INDEX IF NOT EXISTS disclosure_doc_tokens_trgm ON {TABLE} USING gin (search_tokens gin_trgm_ops)",
    "DROP INDEX IF EXISTS disclosure_doc_fulltext",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector",
)

FTS = "disclosure_doc_fts"
_DELETE_OLD = f"INSERT INTO {FTS}({FTS}, rowid, search_tokens) VALUES ('delete', old.page_ptr_id, old.search_tokens);"  # noqa: S608
_INSERT_NEW = f"INSERT INTO {FTS}(rowid, search_tokens) VALUES (new.page_ptr_id, new.search_tokens);"  # noqa: S608
TRIGGERS = (
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_insert AFTER INSERT ON {TABLE} BEGIN {_INSERT_NEW} END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_delete AFTER DELETE ON {TABLE} BEGIN {_DELETE_OLD} END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_update AFTER UPDATE OF page_ptr_id, search_tokens ON {TABLE} "
    f"BEGIN {_DELETE_OLD} {_INSERT_NEW} END",
)
SQLITE_FORWARD = (
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(search_tokens, content='{TABLE}', content_rowid='page_ptr_id', "
    "tokenize=\"unicode61 remove_diacritics 0 tokenchars '+#&._%-'\")",
    *TRIGGERS,
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",  # noqa: S608
)
SQLITE_BACKWARD = (
    *(f"DROP TRIGGER IF EXISTS {FTS}_{event}" for event in ("insert", "delete", "update")),
    f"DROP TABLE IF EXISTS {FTS}",
)


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0008_column_daily_views"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
