"""POST /api/disclosure/privacy-check: staff only; findings and the redacted text (R21)."""


def test_privacy_check_for_staff_only(clients, post):
    text = "联系人：李女士，联系电话13912345678。"
    r = post(clients.editor, "/api/disclosure/privacy-check", {"text": text})
    assert r.status_code == 200
    body = r.json()
    assert [f["kind"] for f in body["findings"]] == ["phone"] and body["findings"][0]["masked"] == "139****5678"
    assert "13912345678" not in body["redacted"] and "第十五条" in body["redacted"]
    assert post(clients.officer, "/api/disclosure/privacy-check", {"text": text}).status_code == 200
    assert post(clients.citizen, "/api/disclosure/privacy-check", {"text": text}).status_code == 403
    assert post(clients.anonymous, "/api/disclosure/privacy-check", {"text": text}).status_code == 401
