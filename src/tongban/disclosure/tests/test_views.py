"""The requester's pages: file a request (errors inline, typed text kept), answer the correction
notice, get the reply letter."""

from tongban.disclosure import actions


def test_citizen_files_corrects_and_gets_the_letter(cast, officer, client):
    client.force_login(cast.citizen)
    r = client.post(
        "/disclosure/requests/",
        {"content": "", "requester_type": "natural_person", "delivery": "online", "purpose": "自用"},
    )
    assert r.status_code == 422 and "请填写所需政府信息" in r.content.decode() and "自用" in r.content.decode()
    r = client.post(
        "/disclosure/requests/",
        {"content": "2025年老旧小区改造资金", "requester_type": "natural_person", "delivery": "online"},
    )
    assert r.status_code == 302
    number = r["Location"].rstrip("/").rsplit("/", 1)[1]
    actions.perform(officer, number, "request-correction", {"reason": "请说明所指小区"})
    page = client.get(f"/disclosure/requests/{number}/").content.decode()
    assert "请说明所指小区" in page and "提交补正" in page
    client.post(f"/disclosure/requests/{number}/", {"action": "submit-correction", "content": "西岗区八一路小区"})
    actions.perform(officer, number, "reply", {"reply_type": "disclosed", "text": "见附件"})
    assert "下载答复书" in client.get(f"/disclosure/requests/{number}/").content.decode()
    letter = client.get(f"/disclosure/requests/{number}/reply.pdf")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    client.force_login(cast.other_citizen)
    assert client.get(f"/disclosure/requests/{number}/").status_code == 404
