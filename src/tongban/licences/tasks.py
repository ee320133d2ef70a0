"""Scheduled jobs of the licence library: the nightly expiry run (stores `expired`, reminds
holders 30 days ahead) and the retry of licences an approval could not issue at once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tongban.core.jobs import job

from . import actions
from .constants import EXPIRY_REMINDER_DAYS, Status
from .models import Licence


@job(every=86400)
def nightly_expiry() -> dict[str, int]:
    today = timezone.localdate()
    expired = list(Licence.objects.filter(status=Status.VALID, valid_until__lt=today).only("pk")[:5000])
    count = actions.record_expiry(expired)
    reminded = remind_expiring(today)
    return {"expired": count, "reminded": reminded}


def remind_expiring(today: dt.date) -> int:
    """Holders with an account get one message-centre reminder per licence, 30 days ahead."""
    from tongban.identity.actions import deliver

    horizon = today + dt.timedelta(days=EXPIRY_REMINDER_DAYS)
    rows = (Licence.objects.filter(status=Status.VALID, valid_until__gte=today, valid_until__lte=horizon,
                                   reminded_on__isnull=True, holder_user__isnull=False)
            .select_related("licence_type", "holder_user")[:2000])
    count = 0
    for licence in rows:
        deliver(licence.holder_user, kind="licence.expiring", title=f"证照即将到期：{licence.licence_type.name}",
                body=f"您的《{licence.licence_type.name}》（编号 {licence.number}）将于 "
                     f"{licence.valid_until:%Y年%m月%d日} 到期，请及时办理延续。", link="/licences/")
        Licence.objects.filter(pk=licence.pk).update(reminded_on=today)
        count += 1
    return count


@job(every=86400)
def issue_pending() -> int:
    """Approved cases of the last 30 days whose licences are missing (a seal failed): issue them."""
    from tongban.cases.models import Case

    since = timezone.now() - dt.timedelta(days=30)
    issued = 0
    for case in (Case.objects.filter(status="approved", decided_at__gte=since, item_version__isnull=False)
                 .select_related("item_version", "item", "department", "region", "applicant", "on_behalf_of")
                 .order_by("pk")[:2000]):
        issued += len(actions.issue_for_case(case))
    return issued


@job(every=15 * 60)
def refresh_materials_rollup() -> int:
    """The materials-avoided rollup: submission days of cases changed since the last run, and the days that ended."""
    from . import stats

    return len(stats.refresh_touched())
