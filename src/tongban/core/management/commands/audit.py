from django.core.management.base import BaseCommand, CommandError

from tongban.core.audit import ChainBroken, seal_pending, verify_chain


class Command(BaseCommand):
    help = "审计链：audit verify 核验整条链，报告第一条被篡改或缺失的记录"

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["verify", "seal"])

    def handle(self, *args, verb, **opts):
        try:
            sealed = seal_pending()
        except ChainBroken as exc:  # verify anyway: it names the first broken record
            if verb == "seal":
                raise CommandError(str(exc)) from None
            self.stderr.write(self.style.WARNING(f"未能封存新记录：{exc}"))
            sealed = 0
        if verb == "seal":
            self.stdout.write(f"已封存 {sealed} 条记录")
            return
        result = verify_chain()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"审计链完整：已核验 {result.checked} 条记录"))
            return
        self.stderr.write(self.style.ERROR(f"审计链损坏：{result.problem}（此前 {result.checked} 条记录完好）"))
        raise SystemExit(1)
