"""Demo data of hotline, loaded by `./tongban run` after cases (tongban.portal.demo): the
taxonomy, a routing rule, a trained classifier (trained when absent), a few demo tickets."""

from __future__ import annotations

DEMO_TICKETS = [
    ("中山区解放路和五五路交口的井盖丢了，晚上太危险了", "13904110001"),
    ("西岗区黄河路一家烧烤店油烟太大，窗户都不敢开", "13904110002"),
    ("请问公积金提取用来还房贷需要什么材料？", "13904110003"),
]


def load() -> None:
    from tongban.identity.models import User

    from . import actions, classifier
    from .models import RoutingRule, Subject, Ticket

    actions.load_taxonomy()
    if not RoutingRule.objects.exists():
        RoutingRule.objects.create(name="燃气泄漏", keywords="燃气,泄漏\n煤气味", priority=10,
                                   subject=Subject.objects.get(pk="gas"), department_kind="housing")
    classifier.load()  # trains once when the model file is missing
    operator = User.objects.filter(username="operator-12345").first()
    if operator is None or Ticket.objects.exists():
        return
    for text, phone in DEMO_TICKETS:
        actions.file_ticket(operator, {"text": text, "phone": phone, "channel": "phone", "region": "210200"})
