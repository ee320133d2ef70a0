"""Backup and restore of a Tongban installation: the database and the uploaded files, with a
manifest that lets a restore prove it got exactly what was saved (docs/operations.md).

A backup directory holds `db.dump` (PostgreSQL: `pg_dump --format=custom`) or `db.sqlite3`
(SQLite: the online backup API, consistent while the site runs), `media.tar.gz` (every
uploaded and generated file) and `manifest.json` (creation time, database vendor, the
latest applied migration per app, row counts of the audit trail, SHA-256 of each file).
`restore()` checks every hash before it touches anything, then restores into an empty
target database and media directory; `./tongban audit verify` against the target proves the
audit chain came back intact."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

DUMP_PG = "db.dump"
DUMP_SQLITE = "db.sqlite3"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Restored:
    seconds: float
    files: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict[str, Any]) -> list[str]:
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args


def _run(cmd: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{cmd[0]} 失败：{result.stderr.strip()[:500]}")


def backup(dest: Path) -> dict[str, Any]:
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise BackupError(f"备份目录 {dest} 不是空的")
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(dest / DUMP_PG),
              *_pg_args(db)], _pg_env(db))
        dump = DUMP_PG
    else:
        connection.ensure_connection()
        target = sqlite3.connect(dest / DUMP_SQLITE)
        with target:
            connection.connection.backup(target)  # the live connection: consistent, file or memory
        target.close()
        dump = DUMP_SQLITE
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(dest / MEDIA, "w:gz") as tar:
        if media_root.is_dir():
            tar.add(media_root, arcname="media")
    from .models import AuditRecord

    manifest = {
        "created_at": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "migrations": dict(MigrationRecorder.Migration.objects.order_by("app", "applied")
                           .values_list("app", "name")),
        "audit_records": AuditRecord.objects.count(),
        "files": {name: _sha256(dest / name) for name in (dump, MEDIA)},
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"无法读取备份清单：{exc}") from None
    for name, expected in manifest["files"].items():
        path = source / name
        if not path.is_file() or _sha256(path) != expected:
            raise BackupError(f"备份文件 {name} 缺失或已损坏（校验和不符），未做任何恢复")
    return manifest


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for m in tar.getmembers():
        parts = Path(m.name).parts
        if m.name.startswith("/") or ".." in parts or not (m.isfile() or m.isdir()) or parts[0] != "media":
            raise BackupError(f"备份中的文件路径不安全：{m.name}")
        members.append(m)
    return members


def restore(source: Path, *, database_url: str, media_root: Path) -> Restored:
    """Restore into `database_url` (PostgreSQL: created if missing, must be empty; SQLite: a
    new file) and `media_root` (must be empty or absent)."""
    started = time.monotonic()
    manifest = read_manifest(source)
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"媒体目录 {media_root} 不是空的")
    url = urlsplit(database_url)
    if manifest["vendor"] == "postgresql":
        if url.scheme not in ("postgres", "postgresql"):
            raise BackupError("PostgreSQL 的备份只能恢复到 PostgreSQL")
        import dj_database_url
        import psycopg
        from psycopg import sql

        target = dj_database_url.parse(database_url)
        admin = database_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target["NAME"]]).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target["NAME"])))
        with psycopg.connect(database_url) as conn:
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
        if tables:
            raise BackupError(f"目标数据库 {target['NAME']} 不是空的")
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *_pg_args(target),
              str(source / DUMP_PG)], _pg_env(target))
    else:
        path = Path(url.path)
        if path.exists():
            raise BackupError(f"目标数据库文件 {path} 已存在")
        shutil.copyfile(source / DUMP_SQLITE, path)
    media_root.mkdir(parents=True, exist_ok=True)
    files = 0
    with tarfile.open(source / MEDIA, "r:gz") as tar:
        for member in _safe_members(tar):
            relative = Path(*Path(member.name).parts[1:])
            if member.isdir() or not relative.parts:
                continue
            out = media_root / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as data, out.open("wb") as f:
                shutil.copyfileobj(data, f)
            files += 1
    return Restored(seconds=time.monotonic() - started, files=files)


def default_name() -> str:
    return f"tongban-{dt.datetime.now(tz=dt.UTC):%Y%m%d-%H%M%S}"
