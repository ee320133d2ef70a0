"""Attachments typed by content (a refused file named, the rest kept), exposure (曝光纠错:
candidates, the R21 check before publication, nothing personal on the page), and the R25
callback by one-time SMS link and on the tracking page."""

import datetime as dt
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tongban.hotline.models import CallbackLink, Exposure, Ticket, TicketAttachment
from tongban.testing import api_client

from .conftest import file, post
from .test_stats import act, closed

NOISE = "沙河口区西南路的工地半夜还在施工，噪音太大睡不着"


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


def test_attachments_typed_by_content_refused_file_named_rest_kept(hotline, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    number = file(hotline.operator, NOISE).json()["number"]
    good = SimpleUploadedFile("现场.jpg", _png(), content_type="image/jpeg")  # a PNG named .jpg: typed by content
    bad = SimpleUploadedFile("病毒.png", b"MZ\x90\x00 not an image at all", content_type="image/png")
    r = hotline.operator.post(f"/api/hotline/tickets/{number}/attachments", {"files": [good, bad]})
    assert r.status_code == 422, r.content
    body = r.json()
    assert [a["kind"] for a in body["attached"]] == ["png"]
    assert body["detail"][0]["field"] == "病毒.png"
    row = TicketAttachment.objects.get(ticket__number=number)
    assert row.storage_name.endswith(".png") and (tmp_path / row.storage_name).exists()
    # a department that does not hold it gets 404; the caller of a citizen ticket may add while open
    assert hotline.market.post(f"/api/hotline/tickets/{number}/attachments",
                               {"files": [SimpleUploadedFile("a.png", _png())]}).status_code == 404
    mine = file(hotline.citizen, "小区门口路灯坏了好几天了", channel="web", phone=None).json()["number"]
    r = hotline.citizen.post(f"/api/hotline/tickets/{mine}/attachments",
                             {"files": [SimpleUploadedFile("a.png", _png())]})
    assert r.status_code == 201 and r.json()["attached"][0]["kind"] == "png"


def test_R25_sms_callback_link_is_one_time_and_reopens_when_unsatisfied(hotline):
    from tongban.identity.models import SmsMessage

    number = closed(hotline, phone="13904118888", level=None)
    text = SmsMessage.objects.filter(phone="13904118888", text__contains="/hotline/callback/").latest("id").text
    token = re.search(r"/hotline/callback/([\w-]+)", text).group(1)
    assert CallbackLink.objects.get(ticket__number=number).token_hash != token  # kept hashed
    assert hotline.anonymous.get(f"/hotline/callback/{token}").status_code == 200
    r = post(hotline.anonymous, f"/api/hotline/callback/{token}", {"level": 1, "resolved": False, "comment": "没人管"})
    assert r.status_code == 200 and r.json()["status"] == "dispatched"  # reopened once to the department
    again = post(hotline.anonymous, f"/api/hotline/callback/{token}", {"level": 5, "resolved": True})
    assert again.status_code == 409
    assert post(hotline.anonymous, "/api/hotline/callback/forged", {"level": 5, "resolved": True}).status_code == 404
    t = Ticket.objects.get(number=number)
    assert t.reopened_count == 1 and t.callback["level"] == 1


def test_expired_callback_link_is_refused(hotline):
    closed(hotline, phone="13904118889", level=None)
    from tongban.identity.models import SmsMessage

    text = SmsMessage.objects.filter(phone="13904118889", text__contains="/hotline/callback/").latest("id").text
    token = re.search(r"/hotline/callback/([\w-]+)", text).group(1)
    CallbackLink.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    r = post(hotline.anonymous, f"/api/hotline/callback/{token}", {"level": 5, "resolved": True})
    assert r.status_code == 409 and "过期" in r.json()["detail"]


def test_caller_rates_on_the_tracking_page(hotline):
    number = closed(hotline, phone="13904118890", level=None)
    r = hotline.anonymous.post("/hotline/track", {"number": number, "phone_last4": "8890"})
    assert "评价办理结果" in r.content.decode()
    r = hotline.anonymous.post("/hotline/track", {"number": number, "phone_last4": "8890", "rate": "1",
                                                  "level": "4", "resolved": "yes"})
    assert r.status_code == 200 and "感谢您的评价" in r.content.decode()
    assert Ticket.objects.get(number=number).callback["level"] == 4
    wrong = hotline.anonymous.post("/hotline/track", {"number": number, "phone_last4": "0000", "rate": "1",
                                                      "level": "1", "resolved": "no"})
    assert wrong.status_code == 404 and Ticket.objects.get(number=number).callback["level"] == 4


def test_exposure_candidates_R21_check_and_public_page_leaks_nothing(hotline):
    number = file(hotline.operator, "我叫王建国，电话13904115555，住在西南路88号3号楼2单元501，楼下工地夜间施工",
                  phone="13904115555", name="王建国").json()["number"]
    act(hotline.operator, number, "dispatch", department="urban-mgmt")
    fresh = file(hotline.operator, NOISE, phone="13904115556").json()["number"]
    Ticket.objects.filter(number=number).update(filed_at=timezone.now() - dt.timedelta(days=40))
    candidates = api_client(hotline.cast.supervisor).get("/api/hotline/exposure/candidates").json()["items"]
    assert number in [c["number"] for c in candidates] and fresh not in [c["number"] for c in candidates]
    for summary, leak in (("西南路工地夜间施工扰民，来电人王建国多次反映", "王建国"),
                          ("西南路工地夜间施工扰民，联系电话13904115555", "电话"),
                          ("西南路88号3号楼2单元附近工地夜间施工扰民", "门牌号")):
        r = post(hotline.operator, "/api/hotline/exposure", {"number": number, "summary": summary})
        assert r.status_code == 422 and leak in r.json()["detail"][0]["message"], (summary, r.content)
    assert not Exposure.objects.exists()
    r = post(hotline.operator, "/api/hotline/exposure", {"number": fresh, "summary": "西南路工地夜间施工扰民久未解决"})
    assert r.status_code == 409  # not a candidate
    r = post(hotline.operator, "/api/hotline/exposure",
             {"number": number, "summary": "西南路工地夜间施工扰民，四十天未解决"})
    assert r.status_code == 201, r.content
    assert post(hotline.supervisor, "/api/hotline/exposure",
                {"number": number, "summary": "西南路工地夜间施工扰民"}).status_code == 403
    exposure_id = r.json()["id"]
    assert post(hotline.operator, f"/api/hotline/exposure/{exposure_id}/correct",
                {"text": "已责令工地夜间停工，王建国反映的问题已解决"}).status_code == 422
    assert post(hotline.operator, f"/api/hotline/exposure/{exposure_id}/correct",
                {"text": "城管部门已责令工地夜间停工并立案处罚"}).status_code == 200
    page = hotline.anonymous.get("/hotline/exposure/").content.decode()
    listed = hotline.anonymous.get("/api/hotline/exposure").json()
    assert "四十天未解决" in page and "立案处罚" in page and listed["count"] == 1
    for secret in ("王建国", "13904115555", "5555", "3号楼", "501", number):
        assert secret not in page and secret not in str(listed)
