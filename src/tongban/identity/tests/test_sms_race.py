"""Two SMS code requests for one phone at the same moment: one code is sent, the other gets
409 — the resend limit holds under concurrency (core/locks.py). Only core's tables are
flushed afterwards, so the codes are removed by hand."""

import threading

import pytest
from django.db import connection, connections

from tongban.core.errors import Conflict
from tongban.identity import actions
from tongban.identity.models import SmsCode

POSTGRES = connection.vendor == "postgresql"


@pytest.mark.skipif(not POSTGRES, reason="advisory locks and real concurrency are PostgreSQL's")
@pytest.mark.django_db(transaction=True, available_apps=["tongban.core"])
def test_two_sends_at_once_make_one_code():
    phone = "13912345678"
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def send():
        try:
            barrier.wait()
            actions.send_login_code(phone)
            outcomes.append("sent")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert sorted(outcomes) == ["conflict", "conflict", "conflict", "sent"]
        assert SmsCode.objects.filter(phone=phone).count() == 1
    finally:  # only core's tables are flushed after a transactional test: identity keeps its regions
        SmsCode.objects.filter(phone=phone).delete()
