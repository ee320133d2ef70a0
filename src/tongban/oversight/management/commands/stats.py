"""`./tongban stats rebuild --from YYYY-MM-DD --to YYYY-MM-DD` rebuilds the daily summaries of a
range from the raw rows; `./tongban stats refresh` runs the incremental refresh once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tongban.core.errors import FieldError
from tongban.oversight import actions, selectors


class Command(BaseCommand):
    help = "统计汇总：rebuild --from --to 重建区间；refresh 增量刷新"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["rebuild", "refresh"])
        parser.add_argument("--from", dest="first")
        parser.add_argument("--to", dest="last")

    def handle(self, *args, what: str, first: str | None = None, last: str | None = None, **options):
        if what == "refresh":
            days = actions.refresh_statistics()
            self.stdout.write(f"已刷新 {len(days)} 天的汇总")
            return
        try:
            start, end = selectors.date_range(first, last)
        except FieldError as exc:
            raise CommandError(str(exc)) from None
        rows = actions.rebuild_statistics(start, end)
        self.stdout.write(f"已重建 {start} 至 {end} 的汇总（{rows} 行；今日为实时计算）")
