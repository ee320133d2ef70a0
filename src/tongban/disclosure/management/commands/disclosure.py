"""`./tongban disclosure expire` (R15/R19 by the clock), `./tongban disclosure report --year Y`
(the annual report as JSON), `./tongban disclosure scan FILE` (the privacy detector on a text file)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "政务公开：expire（逾期未补正/未缴费的申请）、report（年度报告 JSON）、scan（隐私检查文本文件）"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["expire", "report", "scan"])
        parser.add_argument("path", nargs="?", help="scan：文本文件")
        parser.add_argument("--year", type=int, default=None)

    def handle(self, *args, what: str, path: str | None = None, year: int | None = None, **options):
        if what == "expire":
            from tongban.disclosure import actions

            self.stdout.write(f"{actions.expire_overdue()} 件申请已按期限处理")
        elif what == "report":
            from tongban.disclosure import annual

            data = annual.report(year or timezone.localdate().year - 1)
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            from tongban.core import privacy

            if not path or not Path(path).is_file():
                raise CommandError("请给出要检查的文本文件")
            text = Path(path).read_text(encoding="utf-8")
            findings = privacy.scan(text)
            for f in findings:
                self.stdout.write(f"{f.start}-{f.end}\t{f.kind}\t{f.masked}\t{f.reason}")
            self.stdout.write(f"共 {len(findings)} 处")
