"""Scheduled publication (issue 7: draft → review → publish with scheduling, `publish_scheduled`
run by the worker): a revision approved for a later go-live time is not live until then, and the
worker's job publishes it once the time has come; a page past its expiry time is taken down."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.disclosure import page_actions, tasks
from tongban.disclosure.models import ColumnPage, PolicyDocumentPage

pytestmark = pytest.mark.django_db


def test_the_worker_publishes_a_scheduled_revision_when_its_time_comes_and_expires_it(site):
    column = ColumnPage.objects.child_of(site).get(slug="zcwj")
    page = page_actions.add_page(column, PolicyDocumentPage(title="关于春节假期安排的通知", slug="cj", live=False,
                                                            body="<p>放假安排</p>"))
    page.go_live_at = timezone.now() + dt.timedelta(hours=2)
    revision = page.save_revision()
    revision.publish()
    page.refresh_from_db()
    assert not page.live and revision.approved_go_live_at is not None
    tasks.publish_scheduled()
    page.refresh_from_db()
    assert not page.live  # not yet
    # the time comes: the approved go-live time, and the go-live time the revision holds, are past
    past = timezone.now() - dt.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    tasks.publish_scheduled()
    page.refresh_from_db()
    assert page.live
    PolicyDocumentPage.objects.filter(pk=page.pk).update(expire_at=timezone.now() - dt.timedelta(minutes=1))
    tasks.publish_scheduled()
    page.refresh_from_db()
    assert not page.live and page.expired
