"""Knowledge base (issue 8 item 5, R24): articles drafted and reviewed by two people, found
through the platform's search as people speak, answering a 咨询 at once (closed, version kept,
texted); expired, retired or unpublished articles never answer."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.hotline import knowledge, knowledge_actions
from tongban.hotline.models import ArticleVersion, Ticket
from tongban.testing import api_client

from .conftest import file, page_client, post

HEATING = {"title": "供暖费什么时候交、在哪里交", "keywords": "暖气费 取暖费 采暖费 缴费",
           "answer": "供暖费每年9月1日至10月31日缴纳，可在热力公司营业厅、银行代收网点或手机银行缴纳。",
           "source_kind": "policy", "source_ref": "大政办发〔2024〕12号", "subject": "heating-fee"}


@pytest.fixture
def kb(hotline, django_capture_on_commit_callbacks):
    editor = api_client(hotline.cast.editor)

    def publish(data=HEATING):
        with django_capture_on_commit_callbacks(execute=True):
            made = post(editor, "/api/hotline/knowledge", data)
            assert made.status_code == 201, made.content
            article = made.json()["id"]
            r = post(hotline.operator, f"/api/hotline/knowledge/{article}/versions/1/review", {"approve": True})
            assert r.status_code == 200, r.content
        return article

    hotline.editor = editor
    hotline.publish = publish
    return hotline


def test_R24_consult_answered_from_the_knowledge_base_closes_at_once_keeps_version_and_texts(kb):
    from tongban.identity.models import SmsMessage

    article = kb.publish()
    found = kb.anonymous.get("/api/hotline/knowledge", {"q": "暖气费在哪交"}).json()
    assert found["items"] and found["items"][0]["id"] == article
    r = file(kb.operator, "请问今年的取暖费什么时候开始交？", phone="13904117777", article=article)
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "closed" and r.json()["category"] == "咨询"
    ticket = Ticket.objects.get(number=r.json()["number"])
    assert ticket.closed_at is not None and ticket.article_version.number == 1
    assert ticket.reply_text == HEATING["answer"]
    texts = list(SmsMessage.objects.filter(phone="13904117777").values_list("text", flat=True))
    assert any("9月1日" in t for t in texts)  # the answer itself
    assert any("/hotline/callback/" in t for t in texts)  # R25: a callback link follows
    # a new version later: the ticket keeps the version it was answered with
    revised = post(kb.editor, f"/api/hotline/knowledge/{article}/versions",
                   {**HEATING, "answer": "自2027年起供暖费8月15日开始缴纳，渠道同前：营业厅、银行、手机银行。"})
    assert revised.status_code == 201 and revised.json()["number"] == 2
    assert post(kb.operator, f"/api/hotline/knowledge/{article}/versions/2/review",
                {"approve": True}).status_code == 200
    ticket.refresh_from_db()
    assert ticket.article_version.number == 1
    assert ArticleVersion.objects.get(article_id=article, number=1).status == "superseded"


def test_knowledge_needs_a_second_person_to_publish(kb):
    made = post(kb.editor, "/api/hotline/knowledge", HEATING).json()
    own = post(kb.editor, f"/api/hotline/knowledge/{made['id']}/versions/1/review", {"approve": True})
    assert own.status_code == 409 and "起草人" in own.json()["detail"]
    assert post(kb.operator, f"/api/hotline/knowledge/{made['id']}/versions/1/review",
                {"approve": False}).status_code == 422  # a rejection needs a reason
    # unpublished: citizens cannot see it, it cannot answer
    assert kb.anonymous.get(f"/api/hotline/knowledge/{made['id']}").status_code == 404
    r = file(kb.operator, "暖气费怎么交", article=made["id"])
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "article"
    # staff editors see the versions
    assert kb.editor.get(f"/api/hotline/knowledge/{made['id']}").json()["versions"][0]["status"] == "draft"


def test_expired_or_retired_articles_cannot_answer(kb):
    article = kb.publish()
    version = ArticleVersion.objects.get(article_id=article, number=1)
    version.valid_to = timezone.localdate() - dt.timedelta(days=1)
    version.valid_from = version.valid_to - dt.timedelta(days=30)
    version.save()
    assert knowledge.search("暖气费在哪交") == []
    r = file(kb.operator, "暖气费怎么交", article=article)
    assert r.status_code == 422 and "有效期" in r.json()["detail"][0]["message"]
    fresh = kb.publish({**HEATING, "title": "供暖费缴费渠道"})
    assert post(kb.operator, f"/api/hotline/knowledge/{fresh}/retire").status_code == 200
    assert file(kb.operator, "暖气费怎么交", article=fresh).status_code == 422
    assert post(kb.operator, f"/api/hotline/knowledge/{fresh}/retire").status_code == 409


def test_only_a_consultation_closes_from_an_article(kb):
    article = kb.publish()
    r = file(kb.operator, "热力公司乱收暖气费", category="投诉", article=article)
    assert r.status_code == 422 and "category" in {e["field"] for e in r.json()["detail"]}


def test_article_validation_names_every_field(kb):
    r = post(kb.editor, "/api/hotline/knowledge", {"title": "", "answer": "短", "source_kind": "x",
                                                   "valid_from": "2026-13-01"})
    fields = {e["field"] for e in r.json()["detail"]}
    assert r.status_code == 422 and {"title", "answer", "source_kind", "source_ref", "valid_from"} <= fields
    assert post(kb.market, "/api/hotline/knowledge", HEATING).status_code == 403  # an officer is no author


def test_operator_sees_knowledge_hits_while_typing(kb):
    article = kb.publish()
    client = page_client(kb.cast.hotline)
    page = client.get("/hotline/operator/suggest", {"text": "采暖费去哪里缴纳"}).content.decode()
    assert HEATING["title"] in page and f'name="article" value="{article}"' in page
    assert knowledge_actions.reindex() == 1


def test_staff_ticket_page_actions_and_bad_input(kb):
    """The ticket page: a form per action open to the viewer; bad input is shown, never a 500."""
    number = file(kb.operator, "西南路的工地半夜还在施工，噪音太大睡不着").json()["number"]
    desk = page_client(kb.cast.hotline)
    page = desk.get(f"/hotline/tickets/{number}/").content.decode()
    assert "派单（Alt+D）" in page and "签收" not in page
    done = desk.post(f"/hotline/tickets/{number}/", {"action": "dispatch", "department": "urban-mgmt"})
    assert done.status_code == 302
    assert desk.post(f"/hotline/tickets/{number}/", {"action": "no-such"}).status_code == 404
    bad = desk.post(f"/hotline/tickets/{number}/", {"action": "reroute", "department": "nowhere"})
    assert bad.status_code == 422 and "有效的承办部门" in bad.content.decode()
    other = page_client(kb.cast.officer_b)  # the police: not its ticket
    assert other.get(f"/hotline/tickets/{number}/").status_code == 404
    assert other.post(f"/hotline/tickets/{number}/", {"action": "sign"}).status_code == 404
    assert "签收" not in desk.get(f"/hotline/tickets/{number}/").content.decode()  # the centre does not sign
    assert page_client(kb.cast.citizen).get("/hotline/queue/").status_code == 403
