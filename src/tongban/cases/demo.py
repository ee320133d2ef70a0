"""Demo cases in every state this slice knows, for the demo applicants and the officers of the
departments concerned (identity/demo.py: `officer-<department id>`): submitted, correction,
accepted, warned, overdue (clock events backdated), tolerant acceptance with a promise,
approved, refused (不予受理), withdrawn, and an enterprise's 我要开饭店 bundle.

Filed through `cases.actions` like any case, so numbers, steps, notices and audit records are
real. Loading twice adds nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from tongban.core import audit
from tongban.core.calendar import get_calendar
from tongban.identity.demo import AGENT, CITIZENS, DEMO_ENTERPRISE, make_id_number, make_uscc
from tongban.identity.models import User

from . import actions, clocks
from .models import Case, CaseClockEvent, CasePromise, CaseStep

CITY = "210200"


def _as(user: User, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with audit.acting(audit.context_for_user(user)):
        return fn(user, *args, **kwargs)


def _officer(case: Case) -> User:
    return User.objects.get(username=f"officer-{case.department_id}")


def _backdate(case: Case, working_days_ago: int) -> None:
    """Move the acceptance `working_days_ago` working days back (the overdue and warned demos)."""
    cal, day = get_calendar(), timezone.localdate()
    start = day
    while cal.between(start, day) < working_days_ago:
        start -= dt.timedelta(days=1)
    shift = day - start
    CaseClockEvent.objects.filter(case=case).update(on=start)
    CaseStep.objects.filter(case=case).update(at=timezone.now() - shift)
    Case.objects.filter(pk=case.pk).update(accepted_on=start, submitted_at=timezone.now() - shift)
    case.refresh_from_db()
    clocks.refresh_cache(case)


def is_loaded(citizens: list[User]) -> bool:
    return Case.objects.filter(applicant__in=citizens).exists()


@transaction.atomic
def load() -> int:
    """Returns how many cases were filed (0 when the demo cases are there already)."""
    people = {n: User.objects.filter(username=make_id_number(r, b, s)).first() for n, r, b, s, _ in CITIZENS}
    zhang, li = people[CITIZENS[0][0]], people[CITIZENS[1][0]]
    agent = User.objects.filter(username=make_id_number(*AGENT[1:4])).first()
    if not (zhang and li and agent) or is_loaded([zhang, li, agent]):
        return 0
    uscc = make_uscc(DEMO_ENTERPRISE["region"], DEMO_ENTERPRISE["org"])
    filed: list[Case] = []

    def file(user: User, item: str, **kwargs: Any) -> Case:
        case = _as(user, actions.submit, item=item, region=kwargs.pop("region", CITY), **kwargs)
        filed.append(case)
        return case

    # 待受理: the applicant has uploaded one material, the ID card is fetched (R12)
    file(zhang, "WJW-XK-004", materials=["医师资格证书", "近6个月内县级以上医疗机构出具的健康体检证明",
                                         {"name": "申请人居民身份证", "provision": "fetched"}])  # consented
    # 补正: accepted, then one notice listing every problem; the clock is paused (R7, R9)
    case = file(zhang, "WJW-XK-006")
    _as(_officer(case), actions.accept, case)
    _as(_officer(case), actions.request_correction, case, materials=[m.name for m in case.materials.filter(
        source="applicant", required=True)][:2], reason="护士执业资格考试成绩合格证明复印件不清晰，体检证明超过6个月")
    # 审查中
    case = file(li, "RS-QR-001")
    _as(_officer(case), actions.accept, case)
    # 容缺受理: a tolerable material promised within 5 working days (R10)
    case = file(zhang, "RS-GG-011", materials=[{"name": "创业项目计划书", "provision": "promised"}])
    CasePromise.objects.filter(case=case).update(signed_via="paper")  # the demo applicant signed at the window
    _as(_officer(case), actions.accept, case)
    # 即将超期 (warned, R8) and 已超期 (overdue)
    case = file(li, "YB-GG-002")
    _as(_officer(case), actions.accept, case)
    _backdate(case, case.legal_days - 2)
    case = file(zhang, "RS-GG-013")
    _as(_officer(case), actions.accept, case)
    _backdate(case, case.legal_days + 3)
    # 准予许可
    case = file(li, "GA-XK-005")
    _as(_officer(case), actions.accept, case)
    _as(_officer(case), actions.approve, case, reason="经审查，符合法定条件")
    # 不予受理
    case = file(zhang, "RS-GF-003")
    _as(_officer(case), actions.reject, case, reason="申请事项不属于本部门职权范围，请向户籍所在地社保经办机构申请",
        basis="《中华人民共和国行政许可法》第三十二条第一款第（二）项")
    # 已撤回
    case = file(li, "YB-GF-001")
    _as(li, actions.withdraw, case, reason="材料准备不全，准备齐全后重新申请")
    # 企业：企业设立登记 accepted, and the 我要开饭店 bundle in parallel (一件事)
    case = file(agent, "SCJG-XK-001", on_behalf_of=uscc, region="210202")
    _as(_officer(case), actions.accept, case)
    bundle = _as(agent, actions.submit, bundle="YJS-001", region="210202", on_behalf_of=uscc,
                 form={"enterprise.name": DEMO_ENTERPRISE["name"]})
    filed.append(bundle)
    return len(filed)
