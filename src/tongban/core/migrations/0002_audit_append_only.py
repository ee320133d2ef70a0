"""Make the audit trail append-only inside PostgreSQL itself (ADR 0005).

The hash chain makes tampering *visible*; these triggers make the ordinary kinds of tampering
*impossible* for the application's database role:

* an audit record can never be deleted, and never updated except by the one sealing update
  that fills `seq`, `prev_hash` and `hash` of a record whose `seq` is still NULL, leaving
  every other column as it was;
* the chain head can never be deleted or moved backwards (a lower `last_seq`, or the same
  `last_seq` with another `last_hash`), which would hide deleted newest records.

TRUNCATE is deliberately not trapped: `flush` (used by `demo --reset` and by transactional
tests) truncates every table. In production the application role should not own the tables
and should hold no TRUNCATE privilege on them. A superuser can still bypass triggers
(`session_replication_role = replica`); `audit verify` catches what it does.

SQLite has no such triggers here: the embedded database serves single-machine trials, where
the hash chain alone is the protection.
"""

from django.db import migrations

RECORD_GUARD = ("""
CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '审计记录只可追加，拒绝删除（id=%）', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- The sealing update: an unsealed record gets its place in the chain, nothing else.
    IF OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND (to_jsonb(NEW) - '{{seq,prev_hash,hash}}'::text[])
         = (to_jsonb(OLD) - '{{seq,prev_hash,hash}}'::text[]) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '审计记录只可追加，拒绝修改（id=%）：只允许封存时写入 seq、prev_hash、hash', OLD.id
        USING ERRCODE = 'insufficient_privilege';
END
$$
""", """
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_append_only()
""")

HEAD_GUARD = ("""
CREATE OR REPLACE FUNCTION {table}_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '审计链头不可删除（%）', OLD.name USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.name <> OLD.name OR NEW.last_seq < OLD.last_seq
       OR (NEW.last_seq = OLD.last_seq AND NEW.last_hash IS DISTINCT FROM OLD.last_hash) THEN
        RAISE EXCEPTION '审计链头只能前进（% 条 → % 条）', OLD.last_seq, NEW.last_seq
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$
""", """
CREATE TRIGGER {table}_forward_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_forward_only()
""")

DROP = ("DROP TRIGGER IF EXISTS {table}_{suffix} ON {table}", "DROP FUNCTION IF EXISTS {table}_{suffix}()")


def _run(schema_editor, statements, **names):
    # One statement per call, no parameters: the bodies contain `%` and `;`.
    for sql in statements:
        schema_editor.execute(sql.format(**names), params=None)


def _tables(apps):
    return (apps.get_model("core", "AuditRecord")._meta.db_table,
            apps.get_model("core", "AuditChainHead")._meta.db_table)


def install_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    records, head = _tables(apps)
    _run(schema_editor, RECORD_GUARD, table=records)
    _run(schema_editor, HEAD_GUARD, table=head)


def remove_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    records, head = _tables(apps)
    _run(schema_editor, DROP, table=records, suffix="append_only")
    _run(schema_editor, DROP, table=head, suffix="forward_only")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(install_guards, remove_guards, elidable=False)]
