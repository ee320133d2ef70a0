"""The staff API of a site's message box (留言) queue (issue 7): the site's editors and its
department's officers list the queue (by status, answered or not), open a message, moderate and
answer it; anyone else is refused (403 on the queue, 404 on a message); bad input is a 422 that
names the field and the reason."""

import pytest

from tongban.disclosure import message_actions

TEXT = "西岗区八一路的路灯坏了一排，晚上很黑，请尽快修复。联系电话13912345678"


@pytest.fixture
def queue(site, cast):
    site.department_id = "market"  # the site's department: cast.officer_a's (clients.other_officer)
    site.save_revision().publish()
    return [
        message_actions.submit(cast.citizen, site, title=f"路灯不亮{n}", text=TEXT, form_token=f"q{n}")
        for n in range(3)
    ]


def test_department_staff_list_answer_and_editors_moderate_the_queue(queue, clients, post):
    url = "/api/disclosure/sites/gk-test/messages/queue"
    listed = clients.other_officer.get(url).json()
    assert listed["count"] == 3 and {i["status"] for i in listed["items"]} == {"pending"}
    assert "13912345678" in listed["items"][0]["text"]  # staff read the message as written
    first = queue[0].pk
    answer = {"text": "已安排维修，三日内修复。"}
    r = post(clients.other_officer, f"/api/disclosure/messages/{first}/actions/answer", answer)
    assert r.status_code == 200 and r.json()["answer"] == "已安排维修，三日内修复。"
    r = post(clients.editor, f"/api/disclosure/messages/{queue[1].pk}/actions/hide", {"reason": "重复留言"})
    assert r.status_code == 200 and r.json()["status"] == "hidden"
    post(clients.editor, f"/api/disclosure/messages/{first}/actions/publish")
    assert [i["id"] for i in clients.editor.get(f"{url}?answered=false").json()["items"]] == [
        queue[2].pk,
        queue[1].pk,
    ]
    assert [i["id"] for i in clients.editor.get(f"{url}?answered=true").json()["items"]] == [first]
    assert [i["id"] for i in clients.editor.get(f"{url}?status=hidden").json()["items"]] == [queue[1].pk]
    assert clients.other_officer.get(f"/api/disclosure/messages/{first}").json()["status"] == "published"


def test_queue_is_denied_to_other_staff_and_citizens(queue, clients):
    url = "/api/disclosure/sites/gk-test/messages/queue"
    assert clients.officer.get(url).status_code == 403  # an officer of another department
    assert clients.citizen.get(url).status_code == 403
    assert clients.anonymous.get(url).status_code in (401, 403)
    for client in (clients.officer, clients.citizen):
        assert client.get(f"/api/disclosure/messages/{queue[0].pk}").status_code == 404
    assert clients.other_officer.get("/api/disclosure/sites/no-such-site/messages/queue").status_code == 404
    assert clients.other_officer.get("/api/disclosure/messages/999999").status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("queue?status=done", None, "status"),
        ("queue?page=0", None, "page"),
        ("queue?page_size=1000", None, "page_size"),
        ("actions/close", {}, "action"),
        ("actions/answer", {"text": "好"}, "text"),
        ("actions/answer", {"text": "长" * 20001}, "text"),
        ("actions/hide", {"reason": ""}, "reason"),
    ],
)
def test_bad_input_is_422_naming_the_field(queue, clients, post, path, body, field):
    if path.startswith("queue"):
        r = clients.editor.get(f"/api/disclosure/sites/gk-test/messages/{path}")
    else:
        r = post(clients.editor, f"/api/disclosure/messages/{queue[0].pk}/{path}", body)
    assert r.status_code == 422, r.content
    detail = r.json()["detail"]
    named = [d for d in detail if field in str(d.get("field", d.get("loc", "")))]
    assert named and all(d.get("message") or d.get("msg") for d in named), detail
