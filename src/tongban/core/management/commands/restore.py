from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "从备份目录恢复到一个新的（空）数据库与媒体目录；之后请对新库运行 audit verify"

    def add_arguments(self, parser):
        parser.add_argument("source", help="备份目录")
        parser.add_argument("--database-url", required=True, help="目标数据库（须为空或不存在）")
        parser.add_argument("--media-root", required=True, help="目标媒体目录（须为空或不存在）")

    def handle(self, *args, source, database_url, media_root, **opts):
        try:
            done = restore(Path(source), database_url=database_url, media_root=Path(media_root))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"已恢复：{done.files} 个文件，用时 {done.seconds:.1f} 秒。请运行 "
            f"DATABASE_URL={database_url} TONGBAN_MEDIA_ROOT={media_root} ./tongban audit verify"))
