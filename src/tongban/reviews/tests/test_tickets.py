"""Reviews of 12345 tickets (R26 with R25): the callback's rating is the ticket's review, read
from the hotline and never asked twice; an anonymous phone caller is kept only as a masked
phone and a keyed hash; a signed-in caller may rate their own closed ticket once; a bad rating
opens the rectification of the department that served (R27)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from tongban.core.errors import Conflict
from tongban.hotline import actions as hotline_actions
from tongban.hotline.models import Ticket
from tongban.reviews import actions
from tongban.reviews.models import Rectification, Review
from tongban.testing import api_client

from .conftest import post

PHONE = "13904110000"


def closed_ticket(number, *, caller=None, phone=PHONE, department="urban-mgmt", status="closed"):
    now = timezone.now()
    return Ticket.objects.create(
        number=number, channel="phone", category="投诉", text="烧烤店油烟扰民", region_id="210202",
        caller_phone=phone, caller_user=caller, filed_at=now - dt.timedelta(days=2),
        deadline=now + dt.timedelta(days=3), status=status, department_id=department,
        last_department_id=department, reply_text="已约谈店主安装油烟净化器", result_type="resolved",
        replied_at=now, closed_at=now if status == "closed" else None)


def callback(cast, number, **body):
    return hotline_actions.perform(cast.hotline, number, "callback", body)


def test_R26_callback_rating_is_the_tickets_review_anonymous_caller_masked_and_hashed(cast):
    ticket = closed_ticket("202612060001")
    callback(cast, ticket.number, level=4, resolved=True, comment="处理得及时")
    review = Review.objects.get(ticket=ticket)
    assert review.reviewer is None and review.level == 4 and review.channel == "hotline"
    assert review.department_id == "urban-mgmt" and review.region_id == "210202"
    assert review.comment == "处理得及时"
    assert review.reviewer_phone_masked == "139****0000"
    assert len(review.reviewer_phone_hash) == 64 and PHONE not in review.reviewer_phone_hash
    assert not Rectification.objects.filter(review=review).exists()


def test_R26_an_unreachable_caller_stays_unreviewed(cast):
    ticket = closed_ticket("202612060002")
    callback(cast, ticket.number, unreachable=True)
    assert not Review.objects.filter(ticket=ticket).exists()  # never a default good review


def test_R27_a_bad_callback_opens_the_departments_rectification_and_the_reopened_callback_adds_none(cast):
    ticket = closed_ticket("202612060003")
    callback(cast, ticket.number, level=1, resolved=False, comment="还是有油烟")
    review = Review.objects.get(ticket=ticket)
    assert [t.code for t in review.tags.all()] == ["not-done"]  # 未办成: the matter itself went wrong
    rect = Rectification.objects.get(review=review)
    assert rect.department_id == "urban-mgmt" and rect.state == "open"
    ticket.refresh_from_db()
    assert ticket.status == "dispatched" and ticket.reopened_count == 1  # R25, the hotline's own reopening
    Ticket.objects.filter(pk=ticket.pk).update(status="closed", closed_at=timezone.now())
    callback(cast, ticket.number, level=5, resolved=True)
    assert Review.objects.filter(ticket=ticket).count() == 1  # one review per ticket


def test_R26_signed_in_caller_rates_own_closed_ticket_once(cast):
    ticket = closed_ticket("202612060004", caller=cast.citizen)
    client = api_client(cast.citizen)
    assert post(client, "/api/reviews", {"ticket": ticket.number, "level": 9}).status_code == 422
    r = post(client, "/api/reviews", {"ticket": ticket.number, "level": 2, "comment": "答复敷衍",
                                      "tags": ["态度生硬"]})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["ticket"] == ticket.number and body["level_words"] == "不满意" and body["case"] is None
    assert body["department"]["id"] == "urban-mgmt" and body["reviewer_phone"] == "139****0000"
    assert post(client, "/api/reviews", {"ticket": ticket.number, "level": 5}).status_code == 409
    assert Rectification.objects.filter(review__ticket=ticket).count() == 1
    # the hotline's callback afterwards writes no second review
    callback(cast, ticket.number, level=5, resolved=True)
    assert Review.objects.filter(ticket=ticket).count() == 1


def test_R26_ticket_review_bad_input(cast):
    mine_open = closed_ticket("202612060005", caller=cast.citizen, status="signed")
    theirs = closed_ticket("202612060006", caller=cast.other_citizen)
    rated = closed_ticket("202612060007", caller=cast.citizen)
    callback(cast, rated.number, level=3, resolved=True)
    client = api_client(cast.citizen)
    assert post(client, "/api/reviews", {"ticket": theirs.number, "level": 5}).status_code == 404
    assert post(client, "/api/reviews", {"ticket": mine_open.number, "level": 5}).status_code == 409
    again = post(client, "/api/reviews", {"ticket": rated.number, "level": 5})
    assert again.status_code == 409 and "回访" in again.json()["detail"]  # never asked twice
    both = post(client, "/api/reviews", {"ticket": rated.number, "case": "X", "level": 5})
    assert both.status_code == 422
    assert post(api_client(cast.hotline), "/api/reviews", {"ticket": rated.number, "level": 5}).status_code == 403


def test_R26_ticket_review_page_for_the_signed_in_caller(cast, client):
    ticket = closed_ticket("202612060008", caller=cast.citizen)
    client.force_login(cast.citizen)
    page = client.get(f"/reviews/new?ticket={ticket.number}")
    assert page.status_code == 200 and ticket.number in page.content.decode()
    done = client.post(f"/reviews/new?ticket={ticket.number}", {"ticket": ticket.number, "level": "4"})
    assert done.status_code == 302
    assert Review.objects.get(ticket=ticket).channel == "portal"
    mine = client.get("/reviews/mine/").content.decode()
    assert f"12345 工单 {ticket.number}" in mine
    client.force_login(cast.other_citizen)
    assert client.get(f"/reviews/new?ticket={ticket.number}").status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_R26_race_callback_and_caller_on_one_ticket_end_in_one_review(committed):
    """The caller rates on the portal while the operator records the callback: one review."""
    from tongban.identity.constants import Role
    from tongban.identity.demo import make_id_number
    from tongban.identity.models import StaffRole, User
    from tongban.reviews.models import RectificationStep
    from tongban.testing import make_person, make_staff

    citizen = make_person("热线并发", make_id_number("210202", "19800101", 961), "13700000961")
    operator = make_staff("race-hotline-rv", Role.HOTLINE_OPERATOR, None, "210200")
    ticket = closed_ticket("202612069999", caller=citizen, phone=citizen.phone)
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # the loser's 409 is the point
            results[i] = exc
        finally:
            connections.close_all()

    def by_caller():
        return actions.submit_review(citizen, ticket=ticket.number, level=5)

    def by_callback():
        return hotline_actions.perform(operator, ticket.number, "callback", {"level": 1, "resolved": False})

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate((by_caller, by_callback))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert Review.objects.filter(ticket=ticket).count() == 1
        assert not any(isinstance(r, Exception) and not isinstance(r, Conflict) for r in results), results
    finally:
        RectificationStep.objects.filter(rectification__review__ticket=ticket).delete()
        Rectification.objects.filter(review__ticket=ticket).delete()
        Review.objects.filter(ticket=ticket).delete()
        Ticket.objects.filter(pk=ticket.pk).delete()
        StaffRole.objects.filter(user__in=[citizen.pk, operator.pk]).delete()
        User.objects.filter(pk__in=[citizen.pk, operator.pk]).delete()
