import json

from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand

from tongban.identity import oidc_clients
from tongban.portal import demo


class Command(BaseCommand):
    help = "加载演示数据；`demo accounts --json` 打印演示账号"

    def add_arguments(self, parser):
        parser.add_argument("what", nargs="?", choices=["load", "accounts"], default="load")
        parser.add_argument("--reset", action="store_true", help="清空数据库后重新加载")
        parser.add_argument("--json", action="store_true", help="以 JSON 打印演示账号")
        parser.add_argument("--if-empty", action="store_true", help="仅在数据库为空时加载")

    def handle(self, *args, what="load", reset=False, json=False, if_empty=False, **opts):
        if what == "accounts":
            return self.print_accounts(as_json=json)
        if reset:
            call_command("flush", interactive=False, verbosity=0)
            call_command("migrate", verbosity=0)  # re-creates the data migrations' rows
            cache.clear()  # cached rows (catalogue versions, throttles) belonged to the emptied database
        elif demo.is_loaded():
            if not if_empty:
                self.stdout.write("演示数据已在数据库中；如需清空后重新加载，请使用 ./tongban demo --reset")
            return
        demo.load()
        self.stdout.write(self.style.SUCCESS("演示数据已加载"))

    def print_accounts(self, as_json: bool) -> None:
        rows = [a.as_json() for a in demo.accounts()]
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        self.stdout.write(f"演示账号（密码均为 {rows[0]['password']}）：")
        for row in rows:
            extra = f"  动态口令密钥 {row['totp_secret']}" if row.get("totp_secret") else ""
            self.stdout.write(f"  {row['role']:<17} {row['username']:<28} {row['name']}"
                              f"  部门 {row['department'] or '—'}  区划 {row['region']}{extra}")
        if demo.is_loaded():
            client = oidc_clients.ensure_demo_client()
            self.stdout.write(f"统一身份认证（OIDC）演示客户端：client_id {client.client_id}  "
                              f"client_secret {client.client_secret}  回调 {oidc_clients.DEMO_REDIRECT_URI}  "
                              "发现文档 /.well-known/openid-configuration")
