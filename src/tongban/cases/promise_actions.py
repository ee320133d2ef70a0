"""Signing a tolerant-acceptance promise online (R10): the applicant asks for a code sent to
their own phone (`send-promise-code`) and signs with it (`sign-promise`). Until an online promise
is signed the case cannot be accepted with it (`actions.accept` → 409); at the window the
promise is signed on paper at acceptance instead. Same rules as `actions`: who acts, the case's
state, one transaction with the audit record."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tongban.core.errors import Conflict
from tongban.identity.actions import send_signature_code, verify_signature_code
from tongban.identity.models import User

from .actions import _as_applicant, _material_names, _record, _require, _step
from .constants import Status
from .models import Case, CasePromise


def _open_promise(case: Case) -> CasePromise:
    promise = CasePromise.objects.filter(case=case).first()
    if promise is None or promise.fulfilled_at or promise.broken_at:
        raise Conflict(f"办件 {case.number} 没有待签署的容缺承诺")
    if promise.sms_verified or promise.signed_via != "online":
        raise Conflict(f"办件 {case.number} 的容缺承诺已签署")
    return promise


def _purpose(case: Case) -> str:
    return f"promise:{case.pk}"


def send_promise_code(actor: User, case: Case) -> None:
    _as_applicant(actor, case)
    _require(case, "sign-promise", {Status.SUBMITTED, Status.CORRECTION}, None)
    promise = _open_promise(case)
    applicant = case.applicant
    send_signature_code(applicant, purpose=_purpose(case),
                        what=f"办件 {case.number} 的容缺受理承诺（后补{_material_names(promise.materials)}）")
    _record(case, "send-promise-code")


def sign_promise(actor: User, case: Case, *, code: str, lock_version: int | None = None) -> Case:
    _as_applicant(actor, case)
    _require(case, "sign-promise", {Status.SUBMITTED, Status.CORRECTION}, lock_version)
    _open_promise(case)
    verify_signature_code(case.applicant, purpose=_purpose(case), code=code)
    with transaction.atomic():
        if not CasePromise.objects.filter(case=case, sms_verified=False).update(
                sms_verified=True, signed_at=timezone.now()):
            raise Conflict(f"办件 {case.number} 的容缺承诺已签署")
        _step(case, actor, "sign-promise", "申请人以短信验证码签署容缺受理承诺")
        _record(case, "sign-promise")
    return case
