"""Backups and recovery (issue 10 item 9, docs/operations.md): a backup of the database and
the uploaded files restores into a fresh database whose audit chain verifies and whose rows
and files are those that were saved; a damaged backup is refused before anything is touched."""

import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tongban.core import audit
from tongban.core.backup import BackupError, backup, restore
from tongban.core.pdf import PdfBuilder
from tongban.core.uploads import store

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}}}
    return root


def _count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.mark.skipif(not POSTGRES, reason="pg_dump/pg_restore")
def test_backup_restores_into_a_fresh_database_with_an_intact_chain(live_db, media, tmp_path):
    stored = store(PdfBuilder("营业执照").render(), name="营业执照.pdf", prefix="cases")
    audit.record("ops.backup.test", data={"file": stored.name})
    audit.seal_pending()
    db = settings.DATABASES["default"]
    source_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    target_name = f"restore_{uuid.uuid4().hex[:10]}"
    target_url = source_url.rsplit("/", 1)[0] + "/" + target_name

    manifest = backup(tmp_path / "backup")
    try:
        done = restore(tmp_path / "backup", database_url=target_url, media_root=tmp_path / "restored-media")
        assert done.files == 1
        restored_file = tmp_path / "restored-media" / stored.name
        assert hashlib.sha256(restored_file.read_bytes()).hexdigest() == stored.sha256
        for table in ("identity_region", "identity_department", "core_auditrecord"):
            assert _count(target_url, table) == _count(source_url, table) > 0
        assert manifest["audit_records"] == _count(target_url, "core_auditrecord")

        env = {**os.environ, "DATABASE_URL": target_url, "TONGBAN_TESTING": "1",
               "PYTHONPATH": str(ROOT / "src")}
        verify = subprocess.run([sys.executable, "manage.py", "audit", "verify"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
        assert verify.returncode == 0, verify.stderr
        assert "审计链完整" in verify.stdout
        smoke = subprocess.run([sys.executable, "manage.py", "check", "--database", "default"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=120)
        assert smoke.returncode == 0, smoke.stderr

        with pytest.raises(BackupError, match="不是空的"):  # never over an existing database
            restore(tmp_path / "backup", database_url=target_url, media_root=tmp_path / "other-media")
    finally:
        with psycopg.connect(source_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')


def test_damaged_backup_is_refused_before_anything_is_touched(tmp_path):
    import json

    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "db.dump").write_bytes(b"PGDMP damaged")
    (tmp_path / "b" / "manifest.json").write_text(json.dumps(
        {"vendor": "postgresql", "files": {"db.dump": hashlib.sha256(b"PGDMP original").hexdigest()}}))
    with pytest.raises(BackupError, match="校验和不符"):
        restore(tmp_path / "b", database_url="postgres://postgres@127.0.0.1:5432/never_created",
                media_root=tmp_path / "m")
    assert not (tmp_path / "m").exists()


@pytest.mark.skipif(POSTGRES, reason="the SQLite backup path")
@pytest.mark.django_db
def test_sqlite_backup_and_damage_detection(media, tmp_path):
    backup(tmp_path / "b")
    dump = tmp_path / "b" / "db.sqlite3"
    target = tmp_path / "restored.sqlite3"
    restore(tmp_path / "b", database_url=f"sqlite:///{target}", media_root=tmp_path / "m")
    import sqlite3

    with sqlite3.connect(target) as restored:
        assert restored.execute("SELECT count(*) FROM identity_region").fetchone()[0] == 35

    dump.write_bytes(dump.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(BackupError, match="校验和不符"):
        restore(tmp_path / "b", database_url=f"sqlite:///{tmp_path / 'again.sqlite3'}", media_root=tmp_path / "m2")
    assert not (tmp_path / "again.sqlite3").exists() and not (tmp_path / "m2").exists()


def test_backup_command_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "x").write_text("已有文件")
    with pytest.raises(Exception, match="不是空的"):
        call_command("backup", str(tmp_path))
