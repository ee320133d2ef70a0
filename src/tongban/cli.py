"""The `tongban` command line behind ./tongban (INTERFACES.md).

    run [--port N]        migrate, load demo data if empty, serve, print demo accounts
    test [pytest args]    the whole suite (PostgreSQL if reachable, else SQLite)
    demo [--reset] | demo accounts --json
    token create USERNAME [--days N]
    audit verify | audit seal
    backup [DIR] | restore DIR --database-url URL --media-root DIR
    worker
    bench [NAME]
    fuzz [--deep] [--persona P] [--examples N]
    manage ...            any Django management command
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable


def _django(*args: str, env: dict[str, str] | None = None) -> int:
    """Run a management command in a child process (keeps this process free of Django)."""
    return subprocess.call([PYTHON, "-m", "django", *args], env=env or _env())


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    env["PYTHONPATH"] = str(ROOT / "src") + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra)
    return env


def _postgres_answers(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def cmd_run(args: argparse.Namespace) -> int:
    # A long-running server must not keep descriptors it inherited (a caller's lock file, a
    # pipe): whoever started us may be waiting for them to close.
    os.closerange(3, 1024)
    env = _env()
    for step in (["migrate", "--noinput", "-v", "0"], ["demo", "--if-empty"], ["demo", "accounts"]):
        if _django(*step, env=env) != 0:
            return 1
    url = f"http://127.0.0.1:{args.port}"
    print(f"\n通办已启动：{url}   （API 文档 {url}/api/docs ，Ctrl+C 退出）", flush=True)
    worker = subprocess.Popen([PYTHON, "-m", "django", "worker"], env=env)
    try:
        return subprocess.call([
            PYTHON, "-m", "gunicorn", "tongban.wsgi:application", "--bind", f"127.0.0.1:{args.port}",
            "--workers", str(args.workers), "--threads", "4", "--access-logfile", "-", "--timeout", "60",
            # long search URLs (10,000 Chinese characters percent-encoded) reach the app, which
            # cuts the query itself; gunicorn's default 4 KB request line would answer 414
            "--limit-request-line", "0",
        ], env=env)
    except KeyboardInterrupt:
        return 0
    finally:
        worker.terminate()


def _ensure_postgres_database(url: str) -> None:
    """Create the named database if missing (pytest-django derives test_<name> from it, and
    `makemigrations --check` reads its history)."""
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[-1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        print(f"!! 无法确认数据库 {name} 存在：{exc}", flush=True)


def cmd_test(args: argparse.Namespace, rest: list[str]) -> int:
    extra = {"TONGBAN_TESTING": "1"}
    if os.environ.get("DATABASE_URL"):
        if os.environ["DATABASE_URL"].startswith("postgres"):
            print("==> 测试数据库：PostgreSQL（DATABASE_URL）", flush=True)
            _ensure_postgres_database(os.environ["DATABASE_URL"])
        else:
            print("==> 测试数据库：SQLite（DATABASE_URL）", flush=True)
    elif _postgres_answers():
        extra["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/tongban"
        _ensure_postgres_database(extra["DATABASE_URL"])
        print("==> 测试数据库：PostgreSQL（127.0.0.1:5432）", flush=True)
    else:
        print("==> 测试数据库：SQLite（未发现 PostgreSQL）", flush=True)
    if not any(a.startswith(("-n", "--numprocesses", "-p")) for a in rest):
        rest = ["-n", str(min(os.cpu_count() or 1, 4)), *rest]  # pytest-xdist: one DB per worker
    return subprocess.call([PYTHON, "-m", "pytest", *rest], env=_env(**extra), cwd=ROOT)


def cmd_bench(args: argparse.Namespace, rest: list[str]) -> int:
    bench_dir = ROOT / "bench"
    names = sorted(p.stem for p in bench_dir.glob("bench_*.py"))
    wanted = [n for n in names if not args.name or n == f"bench_{args.name}" or n == args.name]
    if not wanted:
        print(f"没有名为 {args.name} 的基准测试；可选：{', '.join(n.removeprefix('bench_') for n in names)}")
        return 1
    status = 0
    for name in wanted:
        print(f"==> {name}", flush=True)
        status |= subprocess.call([PYTHON, str(bench_dir / f"{name}.py"), *rest], env=_env(), cwd=ROOT)
    return status


def cmd_fuzz(args: argparse.Namespace, rest: list[str]) -> int:
    """The API fuzz of tests/harness/test_fuzz.py with more (and random) examples, in a throwaway
    test database; prints cases and findings per operation for each persona."""
    import shutil

    report_dir = ROOT / "var" / "fuzz"
    shutil.rmtree(report_dir, ignore_errors=True)
    os.environ.update({
        "TONGBAN_FUZZ_EXAMPLES": str(args.examples or (300 if args.deep else 25)),
        "TONGBAN_FUZZ_DEEP": "1" if args.deep else "0",
        "TONGBAN_FUZZ_PERSONAS": ",".join(args.persona or []),
        "TONGBAN_FUZZ_REPORT": str(report_dir),
    })
    status = cmd_test(args, ["tests/harness/test_fuzz.py", "-p", "no:logging", "--tb=no", "-q", *rest])
    for report in sorted(report_dir.glob("*.txt")):
        print(report.read_text(encoding="utf-8"))
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./tongban", description="通办 Tongban 命令行")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="迁移数据库、加载演示数据并启动门户")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--workers", type=int, default=2)
    sub.add_parser("test", help="运行全部测试", add_help=False)
    sub.add_parser("demo", help="加载演示数据 / 打印演示账号", add_help=False)
    sub.add_parser("token", help="创建个人 API 令牌", add_help=False)
    sub.add_parser("audit", help="核验审计链", add_help=False)
    sub.add_parser("backup", help="备份数据库与上传文件（见 docs/operations.md）", add_help=False)
    sub.add_parser("restore", help="从备份恢复到新的数据库与媒体目录", add_help=False)
    sub.add_parser("worker", help="运行后台与定时任务", add_help=False)
    bench = sub.add_parser("bench", help="运行 bench/ 中的基准测试")
    bench.add_argument("name", nargs="?")
    fuzz = sub.add_parser("fuzz", help="API 模糊测试（schemathesis），按接口报告")
    fuzz.add_argument("--deep", action="store_true", help="深度：每个接口大量随机用例")
    fuzz.add_argument("--persona", action="append", help="只以该角色运行（可重复），见 tongban/harness/personas.py")
    fuzz.add_argument("--examples", type=int, help="每个接口每种模式的用例数")
    for name, text in (("hotline", "12345 热线：train | evaluate（分类模型）"),
                       ("stats", "统计汇总：rebuild --from --to"),
                       ("oversight", "效能监察：scan | report --region --month"),
                       ("licences", "电子证照：导入、密钥轮换等"),
                       ("disclosure", "政务公开：站点、年度报告等")):
        sub.add_parser(name, help=text, add_help=False)  # the Django command of the same name
    sub.add_parser("manage", help="任意 Django 管理命令", add_help=False)
    args, rest = parser.parse_known_args(argv)
    if args.command == "run":
        return cmd_run(args)
    if args.command == "test":
        return cmd_test(args, rest)
    if args.command == "bench":
        return cmd_bench(args, rest)
    if args.command == "fuzz":
        return cmd_fuzz(args, rest)
    if args.command == "manage":
        return _django(*rest)
    return _django(args.command, *rest)


if __name__ == "__main__":
    sys.exit(main())
