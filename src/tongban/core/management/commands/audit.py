from django.core.management.base import BaseCommand

from tongban.core.audit import seal_pending, verify_chain


class Command(BaseCommand):
    help = "审计链：audit verify 核验整条链，报告第一条被篡改或缺失的记录"

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["verify", "seal"])

    def handle(self, *args, verb, **opts):
        sealed = seal_pending()
        if verb == "seal":
            self.stdout.write(f"已封存 {sealed} 条记录")
            return
        result = verify_chain()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"审计链完整：已核验 {result.checked} 条记录"))
            return
        self.stderr.write(self.style.ERROR(f"审计链损坏：{result.problem}（此前 {result.checked} 条记录完好）"))
        raise SystemExit(1)
