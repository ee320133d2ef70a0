"""`./tongban manage permissions_doc [--check]`: render the permission matrix to docs/permissions.md."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tongban.harness.matrix import render_markdown


class Command(BaseCommand):
    help = "把权限矩阵（tongban/harness/matrix.py）写入 docs/permissions.md"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只检查文件是否最新（过期则退出码 1）")

    def handle(self, *args, check: bool = False, **options):
        path = Path(settings.PROJECT_DIR) / "docs" / "permissions.md"
        text = render_markdown()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if check:
            if current != text:
                raise CommandError(f"{path} 已过期：请运行 ./tongban manage permissions_doc")
            return
        if current != text:
            path.write_text(text, encoding="utf-8")
        self.stdout.write(f"已写入 {path}")
