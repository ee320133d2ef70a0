"""Reply quality flags (crafted replies) and a real race on PostgreSQL: two officers replying
at once → one outcome, the other 409 (select_for_update on the ticket row)."""

import pytest
from django.db import connection

from tongban.hotline import quality

from .conftest import at_once

POSTGRES = connection.vendor == "postgresql"


@pytest.mark.parametrize(("request_text", "reply", "expected"), [
    ("楼下垃圾好几天没人清理", "已收到，正在处理", ["过短", "套话", "清理"]),
    ("楼下垃圾好几天没人清理", "感谢您的反映，我们高度重视，会尽快处理，请耐心等待进一步核实的结果", ["套话", "清理"]),
    ("健身房不给退还预付款", "经核实，商家已于3月5日将剩余预付款1200元退还给您，您已确认收到", []),
    ("工地夜间施工太吵，要求停止施工", "已到现场检查，责令该工地夜间22时后停止施工，并安排夜间巡查", []),
])
def test_reply_quality_flags(request_text, reply, expected):
    flags = " ".join(quality.check(request_text, reply))
    for word in expected:
        assert word in flags, flags
    if not expected:
        assert flags == ""


@pytest.mark.skipif(not POSTGRES, reason="row locks and real concurrency are PostgreSQL's")
def test_two_officers_replying_at_once_end_with_one_outcome(live_db, _model):
    from tongban.hotline import actions
    from tongban.hotline.models import Ticket, TicketCounter
    from tongban.identity.constants import Role
    from tongban.identity.models import SmsMessage, StaffRole, User
    from tongban.testing import make_staff

    actions.load_taxonomy()
    operator = make_staff("race-hl-operator", Role.HOTLINE_OPERATOR, None, "210200")
    officers = [make_staff(f"race-hl-urban-{i}", Role.OFFICER, "urban-mgmt", "210200") for i in (1, 2)]
    try:
        ticket, _ = actions.file_ticket(operator, {"text": "西岗区八一路的路灯坏了一排，晚上很黑",
                                                   "phone": "13904119876"})
        actions.perform(operator, ticket.number, "dispatch", {"department": "urban-mgmt"})
        def work(user):
            actions.perform(user, ticket.number, "reply",
                            {"reply": f"{user.username}：已安排维修人员更换路灯灯具", "result_type": "resolved"})

        assert at_once(work, officers) == ["409", "ok"]
        assert Ticket.objects.get(pk=ticket.pk).status == "replied"
    finally:
        Ticket.objects.filter(caller_phone="13904119876").delete()
        TicketCounter.objects.all().delete()
        SmsMessage.objects.filter(phone="13904119876").delete()
        users = User.objects.filter(username__startswith="race-hl-")
        StaffRole.objects.filter(user__in=users).delete()
        users.delete()
