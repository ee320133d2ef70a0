"""Urging (督办), the platform's one mechanism (DESIGN.md seam): 催办 → 督办 (the head) → 通报,
each with a reason and a reply deadline in working days; manual on a ticket, automatic at
warning and overdue (once per ticket and trigger); escalation when unanswered; the public
`urge`/`reply` functions other apps (oversight, for cases) call; one outcome for two replies."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from tongban.core.errors import Conflict, FieldError
from tongban.hotline import tasks, urging_actions, urging_selectors
from tongban.hotline.deadlines import TZ
from tongban.hotline.models import Ticket, Urging
from tongban.identity.constants import Role
from tongban.testing import api_client, make_staff

from .conftest import at_once, file, page_client, post

NOISE = "沙河口区西南路的烧烤店每天晚上油烟特别大，窗户都不敢开"
POSTGRES = connection.vendor == "postgresql"


def act(client, number, action, **body):
    return post(client, f"/api/hotline/tickets/{number}/actions/{action}", body)


def dispatched(hotline, text=NOISE, phone="13904110000"):
    number = file(hotline.operator, text, phone=phone).json()["number"]
    assert act(hotline.operator, number, "dispatch", department="urban-mgmt").status_code == 200
    return number


def urgings(client, **query):
    r = client.get("/api/hotline/urgings", query)
    assert r.status_code == 200, r.content
    return r.json()["items"]


def test_R24_manual_urging_needs_a_level_and_a_reason_and_reaches_the_holding_department(hotline):
    number = dispatched(hotline)
    missing = act(hotline.operator, number, "urge", level="催办")
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "reason"
    assert act(hotline.operator, number, "urge", level="严办", reason="快办").status_code == 422
    assert act(hotline.urban, number, "urge", level="催办", reason="快办").status_code == 403  # not the centre
    assert act(hotline.supervisor, number, "urge", level="催办", reason="群众多次来电，请尽快办理").status_code == 200
    [row] = urgings(hotline.urban)
    assert row["target"] == {"kind": "ticket", "number": number} and row["level"] == "催办"
    assert row["state"] == "open" and row["reply_due"] and row["reply_days"] == 2 and row["may_reply"]
    assert urgings(hotline.housing) == []  # another department does not see it
    assert urgings(hotline.operator)[0]["may_reply"] is False  # the centre sees it, answers nothing
    assert hotline.citizen.get("/api/hotline/urgings").status_code == 403
    reply = post(hotline.urban, f"/api/hotline/urgings/{row['id']}/reply", {"text": "已约谈店主，三日内安装净化器"})
    assert reply.status_code == 200 and reply.json()["state"] == "replied" and reply.json()["reply"]["by"]
    again = post(hotline.urban, f"/api/hotline/urgings/{row['id']}/reply", {"text": "再次回复"})
    assert again.status_code == 409
    actions = [s["action"] for s in hotline.operator.get(f"/api/hotline/tickets/{number}").json()["steps"]]
    assert "urge" in actions and "urging-replied" in actions


def test_R24_urging_a_ticket_no_department_holds_is_409(hotline):
    number = file(hotline.operator, NOISE).json()["number"]  # not dispatched yet
    r = act(hotline.operator, number, "urge", level="催办", reason="请尽快派单")
    assert r.status_code == 409 and "督办" in r.json()["detail"]


def test_supervising_level_is_answered_by_the_department_head(hotline):
    number = dispatched(hotline)
    assert act(hotline.operator, number, "urge", level="督办", reason="超期风险较大，请负责人督促").status_code == 200
    urging_id = urgings(hotline.urban)[0]["id"]
    body = {"text": "负责人已督促，明日办结"}
    assert post(hotline.urban, f"/api/hotline/urgings/{urging_id}/reply", body).status_code == 403
    assert post(hotline.housing, f"/api/hotline/urgings/{urging_id}/reply", body).status_code == 404
    head = api_client(make_staff("head-urban-t", Role.HEAD, "urban-mgmt", "210200"))
    assert post(head, f"/api/hotline/urgings/{urging_id}/reply", {"text": ""}).status_code == 422
    assert post(head, f"/api/hotline/urgings/{urging_id}/reply", body).status_code == 200


def test_unanswered_urging_escalates_one_level_at_a_time_up_to_the_notice(hotline):
    number = dispatched(hotline)
    act(hotline.operator, number, "urge", level="催办", reason="请尽快办理")
    first = Urging.objects.get(target_number=number)
    past = timezone.now() - dt.timedelta(minutes=1)
    Urging.objects.filter(pk=first.pk).update(reply_due=past)
    [second] = urging_actions.escalate_overdue()
    first.refresh_from_db()
    assert first.state == "overdue" and second.previous_id == first.pk and second.level == "督办"
    assert second.trigger == "escalation" and second.reply_due > timezone.now()
    assert urging_actions.escalate_overdue() == []  # once
    late = post(hotline.urban, f"/api/hotline/urgings/{first.pk}/reply", {"text": "迟到的回复"})
    assert late.status_code == 409 and "升级" in late.json()["detail"]
    Urging.objects.filter(pk=second.pk).update(reply_due=past)
    [third] = urging_actions.escalate_overdue()
    assert third.level == "通报" and third.previous_id == second.pk
    Urging.objects.filter(pk=third.pk).update(reply_due=past)
    assert urging_actions.escalate_overdue() == []  # 通报 is the last level
    today = timezone.localdate()
    [notice] = urging_selectors.notices(today, today)
    assert notice["target"]["number"] == number and notice["state"] == "overdue"


def test_automatic_urging_at_warning_and_at_overdue_once_per_ticket_and_trigger(hotline):
    number = dispatched(hotline)
    now = timezone.now()
    Ticket.objects.filter(number=number).update(filed_at=now - dt.timedelta(days=6),
                                                deadline=now + dt.timedelta(hours=12))
    assert tasks.run_urging.apply().get() == 1
    [warned] = Urging.objects.filter(target_number=number)
    assert (warned.trigger, warned.level) == ("warning", "催办")
    assert tasks.run_urging.apply().get() == 0  # idempotent
    Ticket.objects.filter(number=number).update(deadline=now - dt.timedelta(hours=1))
    assert len(urging_actions.urge_due_tickets()) == 1
    overdue = Urging.objects.get(target_number=number, trigger="overdue")
    assert overdue.level == "督办" and "超过办结时限" in overdue.reason
    assert urging_actions.urge_due_tickets() == []
    early = dispatched(hotline, "西岗区八一路的路灯坏了", phone="13904110001")  # far from its deadline
    assert not Urging.objects.filter(target_number=early).exists()


def test_public_urge_keyed_on_any_object_for_other_apps(hotline, cast):
    """What oversight calls for a case: no import of cases, the case named by kind and number."""
    with pytest.raises(PermissionDenied):
        urging_actions.urge("case", "210200202612010001", "market", "催办", "办件临近时限", cast.officer_a)
    with pytest.raises(FieldError) as bad:
        urging_actions.urge("case", "", "nope", "急办", "", cast.supervisor)
    assert {f for f, _ in bad.value.errors} == {"level", "reason", "department", "target_number"}
    urging = urging_actions.urge("case", "210200202612010001", "market", "督办", "办件已超期三日", cast.supervisor)
    assert urging.region_id == urging.department.region_id and urging.reply_due is not None
    assert urging_actions.urge("case", "210200202612010001", "market", "催办", "再催", None).trigger == "manual"
    with pytest.raises(PermissionDenied):
        urging_actions.reply(cast.officer_a, urging.pk, "已办")  # 督办: the head answers
    assert urging_actions.reply(cast.head, urging.pk, "已督促经办人今日办结").state == "replied"
    with pytest.raises(Conflict):
        urging_actions.reply(cast.head, urging.pk, "再答一次")
    with pytest.raises(FieldError):  # a ticket is urged only while the department holds it
        urging_actions.urge("ticket", "209901010001", "market", "催办", "请办理", cast.supervisor)


def test_officer_pages_list_urgings_with_reply_deadline_and_take_the_reply(hotline):
    number = dispatched(hotline)
    act(hotline.operator, number, "urge", level="催办", reason="群众多次来电")
    officer = Ticket.objects.get(number=number).department.staff_roles.filter(role=Role.OFFICER).first().user
    client = page_client(officer)
    queue = client.get("/hotline/queue/").content.decode()
    assert "待回复 1 件" in queue
    page = client.get("/hotline/urgings/")
    assert page.status_code == 200 and number in page.content.decode() and "回复督办" in page.content.decode()
    urging_id = Urging.objects.get(target_number=number).pk
    assert client.post("/hotline/urgings/", {"urging": urging_id, "text": ""}).status_code == 422
    done = client.post("/hotline/urgings/", {"urging": urging_id, "text": "已约谈店主整改"})
    assert done.status_code == 302
    assert Urging.objects.get(pk=urging_id).state == "replied"
    assert client.post("/hotline/urgings/", {"urging": urging_id, "text": "再答"}).status_code == 409
    ticket_page = page_client(hotline.cast.hotline).get(f"/hotline/tickets/{number}/").content.decode()
    assert "群众多次来电" in ticket_page and "已回复" in ticket_page


@pytest.mark.real_calendar
def test_R5_reply_deadline_in_an_unentered_year_is_pending_then_filled(hotline, cast, monkeypatch):
    from tongban.core.models import CalendarYear

    monkeypatch.setattr(urging_actions, "_now", lambda: dt.datetime(2026, 12, 31, 9, 0, tzinfo=TZ))
    urging = urging_actions.urge("case", "210200202612310001", "market", "催办", "办件临近时限", cast.supervisor)
    assert urging.reply_due is None
    assert urging_selectors.row(urging)["reply_due_pending"] is True
    assert urging_actions.escalate_overdue() == []  # a pending deadline never passes
    CalendarYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")
    assert urging_actions.fill_pending_reply_dues() == [urging.pk]
    urging.refresh_from_db()
    assert urging.reply_due == dt.datetime(2027, 1, 4, 23, 59, 59, tzinfo=TZ)  # Fri 1 Jan, Mon 4 Jan


@pytest.mark.skipif(not POSTGRES, reason="row locks and real concurrency are PostgreSQL's")
def test_two_replies_at_once_end_with_one_outcome(live_db):
    from tongban.identity.models import InboxMessage, StaffRole, User

    supervisor = make_staff("race-urg-supervisor", Role.SUPERVISOR, None, "210200")
    officers = [make_staff(f"race-urg-market-{i}", Role.OFFICER, "market", "210200") for i in (1, 2)]
    urging = None
    try:
        urging = urging_actions.urge("case", "210200209912310001", "market", "催办", "办件临近时限", supervisor)
        assert at_once(lambda user: urging_actions.reply(user, urging.pk, f"{user.username}：已督促办理"),
                       officers) == ["409", "ok"]
        assert Urging.objects.get(pk=urging.pk).state == "replied"
    finally:
        if urging is not None:
            Urging.objects.filter(pk=urging.pk).delete()
        users = User.objects.filter(username__startswith="race-urg-")
        InboxMessage.objects.filter(user__in=users).delete()
        StaffRole.objects.filter(user__in=users).delete()
        users.delete()


def test_automatic_urge_only_when_none_is_open_for_the_object_and_level(hotline, cast):
    """A scan (oversight's alerts) urges automatically: while an urging of that level is open
    for the object, the open one is returned and nothing is written; after the reply, a new one."""
    first = urging_actions.urge("case", "210200202612020001", "market", "催办", "办件临近时限", None, automatic=True)
    assert first.trigger == "automatic" and first.state == "open"
    again = urging_actions.urge("case", "210200202612020001", "market", "催办", "另一条预警", None, automatic=True)
    assert again.pk == first.pk and Urging.objects.filter(target_number="210200202612020001").count() == 1
    other_level = urging_actions.urge("case", "210200202612020001", "market", "督办", "已超期", None, automatic=True)
    assert other_level.pk != first.pk
    urging_actions.reply(cast.officer_a, first.pk, "已督促经办人办理")
    fresh = urging_actions.urge("case", "210200202612020001", "market", "催办", "又临近时限", None, automatic=True)
    assert fresh.pk not in (first.pk, other_level.pk) and fresh.state == "open"
    # an open manual urging of the level counts too
    manual = urging_actions.urge("case", "210200202612020002", "market", "催办", "人工催办", cast.supervisor)
    assert urging_actions.urge("case", "210200202612020002", "market", "催办", "预警", None, automatic=True).pk \
        == manual.pk
    # a manual urging is never held back by the guard
    assert urging_actions.urge("case", "210200202612020002", "market", "催办", "再催", cast.supervisor).pk != manual.pk


@pytest.mark.skipif(not POSTGRES, reason="real concurrency is PostgreSQL's")
def test_two_scans_urging_at_once_write_one_urging(live_db):
    import threading

    from tongban.identity.models import InboxMessage

    number, results, errors = "210200209912300001", [], []
    barrier = threading.Barrier(4)

    def scan():
        try:
            barrier.wait(timeout=10)
            results.append(urging_actions.urge("case", number, "market", "催办", "办件临近时限", None,
                                               automatic=True).pk)
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=scan) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert errors == [] and len(results) == 4
        assert Urging.objects.filter(target_kind="case", target_number=number).count() == 1
        assert set(results) == {Urging.objects.get(target_kind="case", target_number=number).pk}
    finally:
        Urging.objects.filter(target_kind="case", target_number=number).delete()
        InboxMessage.objects.filter(kind="hotline.urging", title__contains=number).delete()
