"""demo.load: taxonomy (≥ 40 leaves), a routing rule, demo tickets; idempotent."""

from tongban.hotline import demo
from tongban.hotline.models import RoutingRule, Subject, Ticket


def test_demo_load_is_idempotent(hotline):
    from tongban.identity.constants import Role
    from tongban.testing import make_staff

    make_staff("operator-12345", Role.HOTLINE_OPERATOR, None, "210200")
    demo.load()
    demo.load()
    assert Subject.objects.count() >= 40
    assert RoutingRule.objects.count() == 1
    assert Ticket.objects.count() == len(demo.DEMO_TICKETS)
    assert Subject.objects.values("group").distinct().count() >= 10


def test_demo_articles_answer_searches(hotline):
    from tongban.hotline import knowledge
    from tongban.hotline.models import Article

    demo.load_articles()
    demo.load_articles()
    assert Article.objects.count() == len(demo.DEMO_ARTICLES)
    assert knowledge.search("身份证掉了咋办")[0]["title"] == "身份证丢了怎么补办"
