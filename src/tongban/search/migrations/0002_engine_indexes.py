"""The engine-specific full-text index beside search_searchdocument (not model fields).

PostgreSQL: pg_trgm; a generated, weighted tsvector over the pre-segmented columns (title A,
keywords B, guide text C, 'simple' configuration: jieba did the segmenting) with a GIN index,
and one over title and keywords only (candidates are found there first, see query.py);
a generated title+keywords text with a trigram GIN index for typos and similarity.
SQLite: an FTS5 table over the same columns (external content) kept in step by triggers.
Each database gets only its own part; other vendors get nothing (get_backend() refuses them).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

POSTGRES_FORWARD = [
    """ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_terms), 'A')
        || setweight(to_tsvector('simple'::regconfig, keyword_terms), 'B')
        || setweight(to_tsvector('simple'::regconfig, body_terms), 'C')) STORED""",
    """ALTER TABLE search_searchdocument ADD COLUMN head_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_terms), 'A')
        || setweight(to_tsvector('simple'::regconfig, keyword_terms), 'B')) STORED""",
    """ALTER TABLE search_searchdocument ADD COLUMN fuzzy_text text
        GENERATED ALWAYS AS (title_text || keyword_text) STORED""",
    "CREATE INDEX search_document_vector ON search_searchdocument USING gin (search_vector)",
    "CREATE INDEX search_document_head ON search_searchdocument USING gin (head_vector)",
    "CREATE INDEX search_document_fuzzy_trgm ON search_searchdocument USING gin (fuzzy_text gin_trgm_ops)",
    "CREATE INDEX search_document_kind ON search_searchdocument (kind, region_code)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_kind",
    "DROP INDEX IF EXISTS search_document_fuzzy_trgm",
    "DROP INDEX IF EXISTS search_document_head",
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS fuzzy_text",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS head_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS search_vector",
]

_COLUMNS = "title_terms, keyword_terms, body_terms"
_NEW = "new.id, new.title_terms, new.keyword_terms, new.body_terms"
_OLD = "'delete', old.id, old.title_terms, old.keyword_terms, old.body_terms"
SQLITE_FORWARD = [
    f"""CREATE VIRTUAL TABLE search_fts USING fts5({_COLUMNS}, content='search_searchdocument',
        content_rowid='id', tokenize='unicode61 remove_diacritics 0')""",
    f"""CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, {_COLUMNS}) VALUES ({_NEW}); END""",  # noqa: S608
    f"""CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, {_COLUMNS}) VALUES ({_OLD}); END""",  # noqa: S608
    f"""CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, {_COLUMNS}) VALUES ({_OLD});
        INSERT INTO search_fts(rowid, {_COLUMNS}) VALUES ({_NEW}); END""",  # noqa: S608
    "CREATE INDEX search_document_kind ON search_searchdocument (kind, region_code)",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_kind",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]


class TrigramExtensionKept(TrigramExtension):
    """pg_trgm, created on PostgreSQL only (the operation skips other databases) and left in
    place when this migration is reversed: other apps' indexes may use it, and Django's own
    reverse would query pg_extension on SQLite too."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        TrigramExtensionKept(),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
