"""Races on PostgreSQL with real threads (committed writes, `live_db`): a double-clicked review
ends as one review and one 409 (R26); two heads closing one rectification end with one outcome
and one 409 (R27)."""

import re
import threading

import pytest
from django.db import connection, connections

from tongban.cases import actions as case_actions
from tongban.cases.models import Case
from tongban.core.errors import Conflict
from tongban.identity.constants import Role
from tongban.identity.demo import make_id_number
from tongban.identity.models import InboxMessage, SmsMessage, StaffRole, User
from tongban.reviews import actions, rectification, selectors
from tongban.reviews.models import Rectification, RectificationStep, Review
from tongban.testing import make_person, make_staff

from .conftest import ITEM

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")


def _together(fns):
    barrier = threading.Barrier(len(fns))
    results = [None] * len(fns)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture
def people(committed):
    citizen = make_person("并发评价", make_id_number("210202", "19800101", 951), "13700000951")
    officer = make_staff("race-officer-rv", Role.OFFICER, "health", "210200")
    heads = [make_staff(f"race-head-rv-{i}", Role.HEAD, "health", "210200") for i in range(2)]
    yield citizen, officer, heads
    cases = Case.objects.filter(applicant=citizen)
    RectificationStep.objects.filter(rectification__review__case__in=cases).delete()
    Rectification.objects.filter(review__case__in=cases).delete()
    Review.objects.filter(case__in=cases).delete()
    cases.delete()
    users = [citizen.pk, officer.pk, *(h.pk for h in heads)]
    InboxMessage.objects.filter(user__in=users).delete()
    SmsMessage.objects.filter(phone=citizen.phone).delete()
    StaffRole.objects.filter(user__in=users).delete()
    User.objects.filter(pk__in=users).delete()


def test_R26_R27_double_click_one_review_and_two_heads_one_outcome(people):
    citizen, officer, heads = people
    case = case_actions.submit(citizen, item=ITEM, region="210200")
    case_actions.accept(officer, case)
    case_actions.deny(officer, case, reason="不符合条件")  # no approval: no other app's licence to clean up
    results = _together([lambda: actions.submit_review(citizen, case=case.number, level=1, comment="慢")] * 2)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Review"], results
    assert Review.objects.filter(case=case).count() == 1
    review = Review.objects.get(case=case)
    steps = (("verify", {"finding": "true", "evidence": "属实"}), ("contact", {"how": "电话", "what": "致歉"}))
    for action, body in steps:
        rectification.perform(heads[0], review.pk, action, body, selectors.visible_rectifications(heads[0]))
    results = _together([
        (lambda h=h: rectification.perform(h, review.pk, "rectify", {"outcome": f"整改 {h.username}"},
                                           selectors.visible_rectifications(h))) for h in heads])
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert sum(isinstance(r, Rectification) for r in results) == 1
    assert RectificationStep.objects.filter(rectification__review=review, action="rectify").count() == 1


def test_R27_the_reviewer_answers_twice_at_once_one_re_rating(people):
    """The page and the SMS link answered at the same moment (or a double click): one re-rating."""
    citizen, officer, heads = people
    case = case_actions.submit(citizen, item=ITEM, region="210200")
    case_actions.accept(officer, case)
    case_actions.deny(officer, case, reason="不符合条件")
    _, invitation = actions.invite(officer, case=case)
    review = actions.submit_with_token(invitation, level=2)
    steps = (("verify", {"finding": "true", "evidence": "属实"}), ("contact", {"how": "电话", "what": "致歉"}),
             ("rectify", {"outcome": "整改"}))
    for action, body in steps:
        rectification.perform(heads[0], review.pk, action, body, selectors.visible_rectifications(heads[0]))
    text = SmsMessage.objects.get(phone=citizen.phone, text__contains="/reviews/re-rate/").text
    raw = re.search(r"/reviews/re-rate/([\w-]+)/", text).group(1)
    results = _together([
        lambda: rectification.perform(citizen, review.pk, "re-rate", {"level": 4},
                                      selectors.visible_rectifications(citizen)),
        lambda: rectification.re_rate_with_token(raw, level=5)])
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert RectificationStep.objects.filter(rectification__review=review, action="re-rate").count() == 1
    assert Rectification.objects.get(review=review).re_level in (4, 5)
