"""联办 (issue 8 item 6): co-handling departments beside the lead, added with a reason by the
centre or the lead; their staff see the ticket (scoping) and answer their part once; the lead
cannot reply — so the ticket cannot close — until all of them have answered (409 naming the
rest); every step audited; a third department sees nothing (404)."""

from tongban.core.models import AuditRecord
from tongban.hotline.models import CoDepartment, TicketStep
from tongban.testing import api_client

from .conftest import file, page_client, post

NOISE = "沙河口区西南路的工地半夜还在施工，噪音太大睡不着，渣土车还把路面弄得很脏"


def dispatched(hotline):
    number = file(hotline.operator, NOISE).json()["number"]
    assert post(hotline.operator, f"/api/hotline/tickets/{number}/actions/dispatch",
                {"department": "urban-mgmt"}).status_code == 200
    return number


def add(client, number, department, reason="渣土撒漏属住建部门监管"):
    return post(client, f"/api/hotline/tickets/{number}/co-departments", {"department": department, "reason": reason})


def co_reply(client, number, department, text="已责令施工单位清扫路面并加盖渣土车。"):
    return post(client, f"/api/hotline/tickets/{number}/co-departments/{department}/reply", {"reply": text})


def queue_numbers(client):
    r = client.get("/api/hotline/tickets")
    assert r.status_code == 200
    return [row["number"] for row in r.json()["items"]]


def test_co_departments_see_the_ticket_answer_once_and_the_lead_waits_for_them(hotline):
    number = dispatched(hotline)
    assert number not in queue_numbers(hotline.housing)
    assert co_reply(hotline.housing, number, "housing").status_code == 404

    # bad input: 422 with the field; the lead itself is no co-department
    r = add(hotline.operator, number, "urban-mgmt", reason="")
    assert r.status_code == 422 and {e["field"] for e in r.json()["detail"]} == {"department", "reason"}
    assert add(hotline.operator, number, "no-such-dept").status_code == 422
    # the centre adds 住建, the lead department adds 市场监管
    r = add(hotline.operator, number, "housing")
    assert r.status_code == 201 and r.json()["department"]["id"] == "housing" and r.json()["reply"] is None
    assert add(hotline.operator, number, "housing").status_code == 409  # once per department
    assert add(hotline.urban, number, "market", reason="工地食堂无证经营").status_code == 201

    # their staff see it now (queue and full ticket); they may not add others nor act as the lead
    assert number in queue_numbers(hotline.housing) and number in queue_numbers(hotline.market)
    full = hotline.housing.get(f"/api/hotline/tickets/{number}").json()
    assert [c["department"]["id"] for c in full["co_departments"]] == ["housing", "market"]
    assert add(hotline.housing, number, "police").status_code == 403
    r = post(hotline.housing, f"/api/hotline/tickets/{number}/actions/reply",
             {"reply": "已处理", "result_type": "resolved"})
    assert r.status_code == 404  # the lead's steps belong to the lead
    assert co_reply(hotline.housing, number, "market").status_code == 403  # not its part

    # the lead cannot consolidate before every co-department answered: 409 naming both
    reply = {"reply": "已责令工地夜间停止施工，渣土车已加盖，路面已清理，食堂已取缔，问题已解决。",
             "result_type": "resolved"}
    r = post(hotline.urban, f"/api/hotline/tickets/{number}/actions/reply", reply)
    assert r.status_code == 409
    assert "大连市住房和城乡建设局" in r.json()["detail"] and "大连市市场监督管理局" in r.json()["detail"]
    assert co_reply(hotline.housing, number, "housing", text="  ").status_code == 422
    assert co_reply(hotline.housing, number, "housing").status_code == 200
    assert co_reply(hotline.housing, number, "housing").status_code == 409  # one reply each
    r = post(hotline.urban, f"/api/hotline/tickets/{number}/actions/reply", reply)
    assert r.status_code == 409 and "大连市市场监督管理局" in r.json()["detail"]
    assert "住房" not in r.json()["detail"]
    assert co_reply(hotline.market, number, "market", text="工地食堂无证经营，已依法取缔。").status_code == 200

    assert post(hotline.urban, f"/api/hotline/tickets/{number}/actions/reply", reply).status_code == 200
    assert post(hotline.operator, f"/api/hotline/tickets/{number}/actions/accept-reply").json()["status"] == "closed"
    assert co_reply(hotline.market, number, "market").status_code == 409

    # audited, in the ticket's history
    assert AuditRecord.objects.filter(action="hotline.ticket.co-department-added").count() == 2
    assert AuditRecord.objects.filter(action="hotline.ticket.co-reply").count() == 2
    steps = list(TicketStep.objects.filter(ticket__number=number).values_list("action", "department_id"))
    assert ("add-co-department", "housing") in steps and ("co-reply", "market") in steps
    assert set(CoDepartment.objects.filter(ticket__number=number).values_list("replied_by__username", flat=True)) \
        == {"officer-housing-t", "officer-a"}


def test_a_third_department_sees_nothing_of_a_co_handled_ticket(hotline):
    number = dispatched(hotline)
    assert add(hotline.operator, number, "housing").status_code == 201
    police = hotline.cast.officer_b  # 公安局: neither lead nor co-department
    client = api_client(police)
    assert number not in queue_numbers(client)
    assert client.get(f"/api/hotline/tickets/{number}").status_code == 404
    assert co_reply(client, number, "housing").status_code == 404
    assert add(client, number, "police").status_code == 404
    assert page_client(police).get(f"/hotline/tickets/{number}/").status_code == 404
    # a supervisor sees it but adds nothing (the centre or the lead only)
    assert add(hotline.supervisor, number, "police").status_code == 403


def test_co_departments_on_the_staff_ticket_page(hotline):
    number = dispatched(hotline)
    lead = page_client(hotline.cast.hotline)
    page = lead.get(f"/hotline/tickets/{number}/").content.decode()
    assert 'value="add-co-department"' in page
    r = lead.post(f"/hotline/tickets/{number}/", {"action": "add-co-department", "department": "housing",
                                                 "reason": "渣土撒漏属住建部门监管"})
    assert r.status_code == 302
    from tongban.identity.models import User

    housing = page_client(User.objects.get(username="officer-housing-t"))
    page = housing.get(f"/hotline/tickets/{number}/").content.decode()
    assert 'data-testid="co-departments"' in page and 'value="co-reply"' in page
    assert 'value="add-co-department"' not in page
    r = housing.post(f"/hotline/tickets/{number}/", {"action": "co-reply", "department": "housing",
                                                    "reply": "已责令清扫路面。"})
    assert r.status_code == 302
    page = housing.get(f"/hotline/tickets/{number}/").content.decode()
    assert "已责令清扫路面" in page and 'value="co-reply"' not in page
