"""Demo data of reviews, loaded by `./tongban run` after cases (tongban.portal.demo): the demo
citizens' decided cases get one 满意 review each, through the action like any review
(idempotent: a case already reviewed is left alone)."""

from tongban.cases.models import Case
from tongban.identity.constants import UserKind

from . import actions
from .models import Review


def load() -> None:
    decided = (Case.objects.filter(status__in=sorted(actions.REVIEWABLE), item__isnull=False, on_behalf_of__isnull=True,
                                   applicant__kind=UserKind.PERSON).exclude(reviews__isnull=False)
               .select_related("applicant").order_by("pk")[:3])
    for case in decided:
        if not Review.objects.filter(case=case).exists():
            actions.submit_review(case.applicant, case=case.number, level=4, comment="办理顺利，一次办成",
                                  tags=["一次办成", "办理快捷"])
