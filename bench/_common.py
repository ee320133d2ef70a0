"""What every benchmark prints the same way (BENCHMARKS.md): the machine, the database,
percentiles; and the bench database made ready by the real migrations."""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share 0.95 → p95); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def memory() -> str:
    try:
        return f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.1f} GiB"
    except (ValueError, OSError, AttributeError):
        return "?"


def commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             check=False, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True,
                               check=False, timeout=5).stdout.strip()
        return f"{out}{' + uncommitted changes' if dirty else ''}" or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"nproc {os.cpu_count()}, memory {memory()}, {platform.machine()}, Python {platform.python_version()}, "
            f"load average {load}")


def header(title: str) -> list[str]:
    return [f"# {title}", f"date     {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC", f"commit   {commit()}",
            f"machine  {machine()}"]


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        return f"PostgreSQL {version} ({connection.settings_dict['NAME']} on {connection.settings_dict['HOST']})"
    return f"{connection.vendor} ({connection.settings_dict['NAME']})"


def ensure_postgres_database(url: str) -> None:
    """Create the database named in `url` if it does not exist yet (the server must answer)."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    if "postgres" not in cfg["ENGINE"]:
        return
    conninfo = {"host": cfg["HOST"] or "127.0.0.1", "port": cfg["PORT"] or 5432, "user": cfg["USER"] or "postgres",
                "password": cfg["PASSWORD"] or None, "dbname": "postgres"}
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
            print(f"created database {cfg['NAME']}", flush=True)


def ready_database(*, demo: bool = False) -> None:
    """Set Django up on DATABASE_URL (created if missing), migrate it, optionally load the demo."""
    import django

    if os.environ.get("DATABASE_URL"):
        ensure_postgres_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if demo:
        call_command("demo", "--if-empty", verbosity=0)
