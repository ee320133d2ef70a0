"""The only write path of data sharing: grant requests and decisions, client registration.
Every function is one transaction with its audit record; a decision is checked on the locked
row (a second decision: 409)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from tongban.core import audit
from tongban.core.errors import Conflict, FieldError
from tongban.identity.models import Department, User

from .models import Condition, DataResource, ExchangeClient, Grant

MAX_PERIOD_DAYS = 3 * 366


def _text(value: str | None, field: str, label: str, limit: int = 300) -> str:
    value = (value or "").strip()
    if not value:
        raise FieldError(field, f"请填写{label}")
    if len(value) > limit:
        raise FieldError(field, f"{label}不能超过{limit}字")
    return value


def request_grant(actor: User, department: Department, resource: DataResource, *, purpose: str, fields: list[str],
                  basis: str, valid_from: dt.date | None, valid_until: dt.date | None) -> Grant:
    """A department asks for a conditional resource: purpose, fields, basis and period."""
    errors: list[tuple[str, str]] = []
    for name, label, value in (("purpose", "用途", purpose), ("basis", "依据", basis)):
        try:
            _text(value, name, label)
        except FieldError as exc:
            errors += exc.errors
    known = resource.field_names()
    wrong = [f for f in fields if f not in known]
    if not fields:
        errors.append(("fields", "请选择申请的字段"))
    elif wrong:
        errors.append(("fields", f"资源没有这些字段：{'、'.join(str(w)[:40] for w in wrong[:5])}"))
    start = valid_from or timezone.localdate()
    if valid_until is None:
        errors.append(("valid_until", "请填写使用期限"))
    elif valid_until < start or (valid_until - start).days > MAX_PERIOD_DAYS:
        errors.append(("valid_until", "使用期限应晚于起始日且不超过3年"))
    if errors:
        raise FieldError(errors=errors)
    if resource.condition == Condition.NOT_SHARED:
        raise FieldError("resource", f"“{resource.name}”不予共享（{resource.legal_basis or '无共享依据'}）")
    if resource.condition == Condition.UNCONDITIONAL:
        raise FieldError("resource", f"“{resource.name}”无条件共享，登记客户端即可读取，无需申请")
    if resource.provider_id == department.pk:
        raise FieldError("resource", "本部门提供的资源无需申请")
    with transaction.atomic():
        grant = Grant.objects.create(resource=resource, department=department, purpose=purpose.strip(),
                                     fields=sorted(set(fields), key=known.index), basis=basis.strip(),
                                     valid_from=start, valid_until=valid_until, requested_by=actor,
                                     requested_at=timezone.now())
        audit.record("exchange.grant.request", obj=grant, actor=actor,
                     data={"resource": resource.code, "department": department.pk, "fields": grant.fields})
    return grant


def decide_grant(actor: User, grant: Grant, *, approve: bool, reason: str) -> Grant:
    if not approve:
        reason = _text(reason, "reason", "拒绝理由")
    with transaction.atomic():
        locked = Grant.objects.select_for_update().get(pk=grant.pk)
        if locked.state != Grant.State.REQUESTED:
            raise Conflict(f"该申请已处理（{locked.get_state_display()}）")
        locked.state = Grant.State.APPROVED if approve else Grant.State.REFUSED
        locked.decided_by, locked.decided_at, locked.decision_reason = actor, timezone.now(), (reason or "")[:300]
        locked.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        audit.record(f"exchange.grant.{'approve' if approve else 'refuse'}", obj=locked, actor=actor,
                     reason=(reason or "")[:200], data={"resource": locked.resource_id})
    return locked


def register_client(actor: User | None, department: Department, name: str, *, client_id: str = "",
                    client_secret: str = "") -> tuple[ExchangeClient, str]:
    """A department system's client-credentials application; the secret is returned once (the
    provider stores it hashed)."""
    from oauth2_provider.models import get_application_model

    Application = get_application_model()
    secret = client_secret or secrets.token_urlsafe(32)
    with transaction.atomic():
        app = Application(name=name[:255], client_type=Application.CLIENT_CONFIDENTIAL,
                          authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS, client_secret=secret,
                          **({"client_id": client_id} if client_id else {}))
        app.save()
        client = ExchangeClient.objects.create(client_id=app.client_id, department=department, name=name[:100])
        audit.record("exchange.client.register", obj=client, actor=actor,
                     data={"client_id": app.client_id, "department": department.pk})
    return client, secret
