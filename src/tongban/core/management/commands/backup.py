from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tongban.core.backup import BackupError, backup, default_name


class Command(BaseCommand):
    help = "备份数据库与上传文件到一个目录（含校验清单），见 docs/operations.md"

    def add_arguments(self, parser):
        parser.add_argument("dest", nargs="?", help="备份目录（默认 var/backups/<时间>）")

    def handle(self, *args, dest=None, **opts):
        target = Path(dest) if dest else Path(settings.VAR_DIR) / "backups" / default_name()
        try:
            manifest = backup(target)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"已备份到 {target}：数据库（{manifest['vendor']}）、上传文件、审计记录 {manifest['audit_records']} 条"))
