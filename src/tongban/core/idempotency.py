"""`Idempotency-Key` for create endpoints (INTERFACES.md): a repeat with the same key from the
same caller gets the first answer back and creates nothing — also when it arrives while the
first is still running (it waits for it); a key reused for a different request body gets 422."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from .errors import Conflict, FieldError
from .models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"


def _caller(request: HttpRequest) -> str:
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return f"u{user.pk}"
    return f"ip{request.META.get('REMOTE_ADDR', '')}"


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a django-ninja operation that returns `(status, payload)`.

    The key's record, the operation's writes and the stored answer commit in one transaction:
    if anything fails — an error, a dropped database connection, a killed process — none of
    it happened and a retry with the same key runs afresh; a duplicate arriving meanwhile
    waits on the key's unique index and then replays the committed answer."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = request.META.get(HEADER, "").strip()
        if not key:
            return view(request, *args, **kwargs)
        if len(key) > 100:
            raise FieldError("Idempotency-Key", "幂等键长度不能超过100个字符")
        digest = hashlib.sha256(request.body or b"").hexdigest()
        caller = _caller(request)
        existing = IdempotencyRecord.objects.filter(caller=caller, key=key).first()
        if existing is None:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        entry = IdempotencyRecord.objects.create(
                            caller=caller, key=key, method=request.method, path=request.path[:300],
                            request_hash=digest)
                except IntegrityError:
                    entry = None  # a duplicate committed first: replay it below
                if entry is not None:
                    return _first_run(entry, view, request, *args, **kwargs)
            existing = IdempotencyRecord.objects.filter(caller=caller, key=key).first()
            if existing is None:  # the other attempt failed and left nothing
                raise Conflict("相同幂等键的请求未能完成，请重试")
        if existing.request_hash != digest or existing.path != request.path[:300]:
            raise FieldError("Idempotency-Key", "该幂等键已用于另一个不同的请求")
        if existing.status is None:
            raise Conflict("相同幂等键的请求正在处理，请稍后查询结果")
        response = HttpResponse(existing.body, status=existing.status, content_type="application/json")
        response["Idempotent-Replayed"] = "true"
        return response

    return wrapper


def _first_run(entry: IdempotencyRecord, view: Callable[..., Any], request: HttpRequest,
               *args: Any, **kwargs: Any) -> Any:
    """Inside the key's transaction: an exception rolls the record back with everything else."""
    result = view(request, *args, **kwargs)
    status, payload = result if isinstance(result, tuple) else (200, result)
    body = json.dumps(_jsonable(payload), ensure_ascii=False, default=str)
    entry.status, entry.body = status, body
    entry.save(update_fields=["status", "body"])
    return status, payload


def _jsonable(payload: Any) -> Any:
    if hasattr(payload, "model_dump"):
        return payload.model_dump(mode="json")
    return payload
