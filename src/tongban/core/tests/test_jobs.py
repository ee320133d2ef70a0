"""One job code path: the same task functions run eagerly without Redis and by the
embedded scheduler; enqueue waits for the transaction to commit."""

import pytest
from django.db import transaction

from tongban.core import jobs
from tongban.core.models import AuditRecord

calls: list[str] = []


@jobs.job()
def remember(value: str) -> str:
    calls.append(value)
    return value


@pytest.fixture(autouse=True)
def _reset():
    calls.clear()


@pytest.mark.django_db(transaction=True, available_apps=["tongban.core"])
def test_enqueued_job_runs_only_after_commit():
    with transaction.atomic():
        jobs.enqueue(remember, "a")
        assert calls == []
    assert calls == ["a"]


@pytest.mark.django_db(transaction=True, available_apps=["tongban.core"])
def test_enqueued_job_is_dropped_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue(remember, "b")
        raise RuntimeError
    assert calls == []


@pytest.mark.django_db
def test_scheduler_runs_due_jobs_and_waits_for_their_interval():
    from tongban.core import tasks  # noqa: F401  (registers the scheduled jobs)

    last: dict[str, float] = {}
    ran = jobs.run_due(last, now=1000.0)
    assert "tongban.core.tasks.seal_audit_trail" in ran
    assert jobs.run_due(last, now=1001.0) == []
    assert "tongban.core.tasks.seal_audit_trail" in jobs.run_due(last, now=1005.0)


@pytest.mark.django_db
def test_scheduled_sealing_links_new_audit_records():
    from tongban.core import audit, tasks

    audit.record("test.thing")
    tasks.seal_audit_trail.apply()
    assert not AuditRecord.objects.filter(seq__isnull=True).exists()


def test_beat_schedule_lists_every_scheduled_job():
    from tongban.core import tasks  # noqa: F401

    schedule = jobs.beat_schedule()
    assert schedule["tongban.core.tasks.seal_audit_trail"]["schedule"] == 5
