"""Demo data of hotline, loaded by `./tongban run` after cases (tongban.portal.demo): the
taxonomy, a routing rule, a trained classifier (trained when absent), a few demo tickets."""

from __future__ import annotations

DEMO_TICKETS = [
    ("中山区解放路和五五路交口的井盖丢了，晚上太危险了", "13904110001"),
    ("西岗区黄河路一家烧烤店油烟太大，窗户都不敢开", "13904110002"),
    ("请问公积金提取用来还房贷需要什么材料？", "13904110003"),
]


DEMO_ARTICLES = [
    ("provident-withdraw", "公积金提取还房贷需要什么材料", "公积金 提取 还贷 房贷",
     "偿还本市住房贷款提取公积金，需提供身份证、借款合同和近期还款明细；可在“大连公积金”APP或各管理部网上办理，"
     "审核通过后一般3个工作日内到账。", "guide", "大连市住房公积金管理中心办事指南"),
    ("heating-fee", "供暖费什么时候交、在哪里交", "暖气费 取暖费 采暖费 缴费",
     "供暖费每年9月1日至10月31日缴纳，可在热力公司营业厅、银行代收网点或手机银行缴纳；低保家庭可申请减免。",
     "policy", "大连市城市供热管理办法"),
    ("household-registration", "身份证丢了怎么补办", "身份证 补办 挂失 临时身份证",
     "居民身份证丢失可到户籍所在地或居住地派出所户籍窗口补领，带户口簿，现场采集照片；急用可同时申领临时身份证。",
     "department", "大连市公安局户政答复口径"),
]


def load_articles() -> None:
    """Published demo articles (loaded as data: the four-eyes review applies to later edits)."""
    from django.utils import timezone

    from . import knowledge_actions
    from .models import Article, ArticleVersion

    if Article.objects.exists():
        return
    for subject, title, keywords, answer, source, ref in DEMO_ARTICLES:
        article = Article.objects.create(subject_id=subject)
        version = ArticleVersion.objects.create(
            article=article, number=1, title=title, keywords=keywords, answer=answer, source_kind=source,
            source_ref=ref, valid_from=timezone.localdate(), status="published", reviewed_at=timezone.now())
        article.current = version
        article.save(update_fields=["current"])
    knowledge_actions.reindex()


def load() -> None:
    from tongban.identity.models import User

    from . import actions, classifier
    from .models import RoutingRule, Subject, Ticket

    actions.load_taxonomy()
    if not RoutingRule.objects.exists():
        RoutingRule.objects.create(name="燃气泄漏", keywords="燃气,泄漏\n煤气味", priority=10,
                                   subject=Subject.objects.get(pk="gas"), department_kind="housing")
    load_articles()
    classifier.load()  # trains once when the model file is missing
    operator = User.objects.filter(username="operator-12345").first()
    if operator is None or Ticket.objects.exists():
        return
    for text, phone in DEMO_TICKETS:
        actions.file_ticket(operator, {"text": text, "phone": phone, "channel": "phone", "region": "210200"})
