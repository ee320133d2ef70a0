"""`make_*` helpers for catalogue tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tongban.catalog import actions
from tongban.catalog.models import ServiceItem
from tongban.identity.models import Department, Region


def standard(materials: int = 3, **overrides: Any) -> dict[str, Any]:
    licence = [{"name": "申请人居民身份证", "source": "licence:ZZ-SFZ"}]
    uploads = [{"name": f"测试材料{i}", "source": "applicant", "copies": 1, "original": i % 2 == 0}
               for i in range(materials - 1)]
    return {
        "name": "测试事项", "type": "公共服务", "department": "market", "level": "city", "audience": "person",
        "themes": ["证件办理"], "life_stage": "other", "online_depth": "全程网办", "lists": ["全程网办"],
        "legal_days": 10, "legal_days_unit": "working", "fee_standard": "不收费", "basis": ["《测试条例》第一条"],
        "conditions": ["符合条件"], "process": ["申请", "受理", "审查", "决定", "送达"],
        "departments_parallel": ["police"], "outputs": [], "keywords": ["测试"],
        "materials": licence + uploads, "questions": [], **overrides,
    }


def make_item(actor, code: str, *, materials: int = 3, regions: tuple[str, ...] = ("210200",),
              **overrides: Any) -> ServiceItem:
    item = actions.create_item(actor, code=code, standard=standard(materials, **overrides),
                               effective_date=timezone.localdate())
    for region in regions:
        actions.create_implementation(actor, item, department=Department.objects.get(pk=item.department_id),
                                      region=Region.objects.get(pk=region), promised_days=5, place="测试大厅")
    return item


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)
