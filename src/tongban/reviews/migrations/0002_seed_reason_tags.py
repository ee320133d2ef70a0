"""Seed the national list of reason tags (国办发〔2019〕51号): good reasons for levels 3–5, bad
reasons for levels 1–2. Editable afterwards; the list is copied here, not imported, so the
migration stays what it was when written."""

from django.db import migrations

GOOD = [
    ("one-visit", "一次办成"), ("few-materials", "材料精简"), ("warm-service", "服务热情"),
    ("fast", "办理快捷"), ("clear-guide", "指南清晰"), ("online", "网上可办"),
    ("no-visit", "不见面审批"), ("convenient", "服务便捷"),
]
BAD = [
    ("many-visits", "多次跑动"), ("complex-materials", "材料繁琐"), ("overdue", "超时办理"),
    ("rude", "态度生硬"), ("extra-materials", "指南外要求材料"), ("not-done", "未办成"),
    ("unclear-guide", "指南不清"), ("long-wait", "排队等候时间长"), ("system-fault", "系统故障"),
]


def seed(apps, schema_editor):
    ReasonTag = apps.get_model("reviews", "ReasonTag")
    for position, (code, name) in enumerate(GOOD):
        ReasonTag.objects.update_or_create(code=code, defaults={"name": name, "min_level": 3, "max_level": 5,
                                                                "position": position})
    for position, (code, name) in enumerate(BAD):
        ReasonTag.objects.update_or_create(code=code, defaults={"name": name, "min_level": 1, "max_level": 2,
                                                                "position": position})


def unseed(apps, schema_editor):
    apps.get_model("reviews", "ReasonTag").objects.filter(code__in=[c for c, _ in GOOD + BAD]).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
