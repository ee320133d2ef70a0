"""`./tongban oversight scan` runs the supervision scan once; `./tongban oversight report
--region 210200 --month 2026-03` writes the monthly supervision report (PDF)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "效能监察：scan 扫描；report --region --month 月度监察报告（PDF）"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["scan", "report"])
        parser.add_argument("--region", default="210200")
        parser.add_argument("--month", help="YYYY-MM")
        parser.add_argument("--output", help="PDF 文件路径（默认 var/reports/）")

    def handle(self, *args, what: str, region: str, month: str | None = None, output: str | None = None, **kw):
        from tongban.oversight import actions

        if what == "scan":
            self.stdout.write(json.dumps(actions.scan(), ensure_ascii=False))
            return
        from tongban.core.errors import FieldError
        from tongban.oversight import report

        try:
            path = report.write_report(region, month, output)
        except FieldError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已生成 {path}")
