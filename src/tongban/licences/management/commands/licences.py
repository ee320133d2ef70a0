"""`./tongban licences import FILE --department ID`: a department's licences from CSV or .xlsx,
all-or-nothing (the same judgement and write path as `POST /api/licences/import`)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.core import audit
from tongban.identity.models import Department
from tongban.licences import actions, imports


class Command(BaseCommand):
    help = "电子证照：import FILE --department ID（CSV 或 .xlsx 批量导入，全部行校验通过才写入）"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["import"])
        parser.add_argument("file")
        parser.add_argument("--department", required=True, help="发证部门标识（如 market）")

    def handle(self, *args, what: str, file: str, department: str, **options):
        dept = Department.objects.select_related("region").filter(pk=department).first()
        if dept is None:
            raise CommandError(f"未知的部门：{department}")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            table = imports.read_table(path.read_bytes(), path.name)
            with audit.acting(audit.AuditContext(actor_label="命令行导入", department=dept.pk)):
                result = actions.import_licences(None, dept, table)
        except imports.ImportFileError as exc:
            raise CommandError(str(exc)) from None
        except actions.ImportRejected as exc:
            for p in exc.report:
                self.stderr.write(f"第 {p['row']} 行 {p['field']}：{p['message']}")
            raise CommandError(f"未导入任何证照：{exc}") from None
        self.stdout.write(self.style.SUCCESS(
            f"{dept.name}：新导入 {result['created']} 本，未变化 {result['unchanged']} 本"))
