from django.core.management.base import BaseCommand, CommandError

from tongban.core.errors import FieldError
from tongban.identity import actions
from tongban.identity.models import User


class Command(BaseCommand):
    help = "个人 API 令牌：token create USERNAME [--days N]"

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=None)
        parser.add_argument("--name", default="命令行创建")

    def handle(self, *args, verb, username, days, name, **opts):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有用户名为 {username} 的有效账号")
        try:
            token, raw = actions.create_token(user, days=days, name=name)
        except FieldError as exc:
            raise CommandError(exc.errors[0][1]) from None
        self.stderr.write(f"已为 {username} 创建令牌，{token.expires_at:%Y-%m-%d} 到期。令牌只显示这一次：")
        self.stdout.write(raw)
