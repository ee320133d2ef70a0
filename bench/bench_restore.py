"""How long does recovery take? (issue 10 item 9; docs/operations.md.)

On the database DATABASE_URL names (default: PostgreSQL `tongban_bench_restore`, created,
migrated and loaded with the demo data if empty), with `--files` uploaded files stored:
time a backup, a restore into a fresh database and media directory, and `audit verify` on
the restored database. The restored database is dropped afterwards.

    ./tongban bench restore [--files 200]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tongban_bench_restore")

from _common import ROOT, database_label, header, ready_database


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tongban-restore-"))
    os.environ["TONGBAN_MEDIA_ROOT"] = str(work / "media")
    ready_database(demo=True)
    from tongban.core import audit
    from tongban.core.backup import backup, restore
    from tongban.core.models import AuditRecord
    from tongban.core.pdf import PdfBuilder
    from tongban.core.uploads import store

    pdf = PdfBuilder("营业执照").render()
    for n in range(args.files):
        store(pdf + f"%{n}".encode(), name=f"材料{n}.pdf", prefix="bench")
    audit.record("bench.restore", data={"files": args.files})
    audit.seal_pending()

    source_url = os.environ["DATABASE_URL"]
    target_name = f"tongban_bench_restored_{uuid.uuid4().hex[:8]}"
    target_url = source_url.rsplit("/", 1)[0] + "/" + target_name
    lines = header("Backup and restore")
    lines.append(f"database {database_label()}; {AuditRecord.objects.count()} audit records; "
                 f"{args.files} files of {len(pdf) / 1024:.0f} KB")
    try:
        started = time.monotonic()
        backup(work / "backup")
        backed = time.monotonic() - started
        started = time.monotonic()
        done = restore(work / "backup", database_url=target_url, media_root=work / "restored-media")
        restored = time.monotonic() - started
        started = time.monotonic()
        env = {**os.environ, "DATABASE_URL": target_url, "PYTHONPATH": str(ROOT / "src")}
        verify = subprocess.run([sys.executable, "manage.py", "audit", "verify"], cwd=ROOT, env=env,
                                capture_output=True, text=True, check=False)
        verified = time.monotonic() - started
        size = sum(p.stat().st_size for p in (work / "backup").iterdir())
        lines += [f"backup   {backed:6.1f} s  ({size / 2**20:.1f} MiB)",
                  f"restore  {restored:6.1f} s  ({done.files} files)",
                  f"verify   {verified:6.1f} s  ({verify.stdout.strip() or verify.stderr.strip()})",
                  f"recovery {restored + verified:6.1f} s  (restore + audit verify)"]
    finally:
        import psycopg

        with psycopg.connect(source_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
