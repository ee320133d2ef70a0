"""Demo data of exchange, loaded by `./tongban run` after cases (tongban.portal.demo): two
resources — 居民身份信息 (公安局, personal, conditional) and 企业登记信息 (市场监管局,
unconditional) — and one demo client of 市人社局 with an approved grant on the first. The
client's secret is derived from SECRET_KEY (like the OIDC demo client) and printed nowhere."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.utils import timezone

DEMO_CLIENT_ID = "hrss-social-insurance-demo"
RESOURCES = [
    {"code": "resident-identity", "name": "居民身份信息", "provider_id": "police", "condition": "conditional",
     "subject_kind": "person", "source": "identity.person", "update_cycle": "实时",
     "legal_basis": "《中华人民共和国居民身份证法》；《政务信息资源共享管理暂行办法》第九条",
     "description": "按公民身份号码核验姓名、实名等级、联系电话",
     "fields": [{"name": "id_number", "label": "公民身份号码", "personal": True},
                {"name": "name", "label": "姓名", "personal": True},
                {"name": "phone", "label": "联系电话", "personal": True},
                {"name": "real_name_level", "label": "实名等级", "personal": False}]},
    {"code": "enterprise-registration", "name": "企业登记信息", "provider_id": "market",
     "condition": "unconditional", "subject_kind": "enterprise", "source": "identity.enterprise",
     "update_cycle": "每日", "legal_basis": "《企业信息公示暂行条例》",
     "description": "按统一社会信用代码查询企业名称、法定代表人、登记区划",
     "fields": [{"name": "uscc", "label": "统一社会信用代码", "personal": False},
                {"name": "name", "label": "企业名称", "personal": False},
                {"name": "legal_representative", "label": "法定代表人", "personal": True},
                {"name": "region", "label": "登记区划", "personal": False},
                {"name": "agents", "label": "授权经办人数", "personal": False}]},
]


def demo_secret() -> str:
    return hmac.new(settings.SECRET_KEY.encode(), b"tongban-exchange-demo-client", hashlib.sha256).hexdigest()


def load() -> None:
    from tongban.identity.models import Department

    from . import actions
    from .models import DataResource, ExchangeClient, Grant

    if Department.objects.filter(pk__in=["police", "market", "hrss"]).count() != 3:
        return
    for spec in RESOURCES:
        defaults = {k: v for k, v in spec.items() if k != "code"}
        DataResource.objects.update_or_create(code=spec["code"], defaults=defaults)
    hrss = Department.objects.get(pk="hrss")
    if not ExchangeClient.objects.filter(client_id=DEMO_CLIENT_ID).exists():
        actions.register_client(None, hrss, "市人社局社会保险经办系统（演示）", client_id=DEMO_CLIENT_ID,
                                client_secret=demo_secret())
    resource = DataResource.objects.get(code="resident-identity")
    if not Grant.objects.filter(resource=resource, department=hrss).exists():
        from tongban.identity.models import User

        officer = User.objects.filter(staff_roles__department=hrss).first() or User.objects.filter(
            is_superuser=True).first()
        if officer is None:
            return
        today = timezone.localdate()
        Grant.objects.create(resource=resource, department=hrss, purpose="社会保险参保登记身份核验",
                             fields=["id_number", "name", "real_name_level"],
                             basis="《社会保险法》第五十七条", valid_from=today,
                             valid_until=today + dt.timedelta(days=365), state=Grant.State.APPROVED,
                             requested_by=officer, requested_at=timezone.now(), decided_by=officer,
                             decided_at=timezone.now(), decision_reason="演示：同意")
