"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2/) at /open311/v2/.

Public reads: the services (service_code = subject leaf) and requests — without 举报 tickets
and without personal data (no names, no phones; phone-like digits in descriptions masked).
POST needs the api_key of a registered application (`Open311Client`, kept hashed). Errors
take the spec's form: `[{"code": 403, "description": "…"}]` with that HTTP status."""

from __future__ import annotations

import datetime as dt
import json
import re

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from tongban.core.errors import FieldError

from . import actions
from .constants import Category, Status
from .deadlines import TZ
from .models import Open311Client, Subject, Ticket
from .taxonomy import ensure_loaded

PHONE_LIKE = re.compile(r"1[3-9]\d{9}|\d{3,4}-?\d{7,8}")


def _error(code: int, description: str) -> JsonResponse:
    return JsonResponse([{"code": code, "description": description}], status=code, safe=False,
                        json_dumps_params={"ensure_ascii": False})


def _ok(payload, status: int = 200) -> JsonResponse:
    return JsonResponse(payload, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


@login_not_required
@require_GET
def services(request: HttpRequest) -> JsonResponse:
    ensure_loaded()
    return _ok([{"service_code": s.code, "service_name": s.name, "description": f"{s.group}/{s.name}",
                 "metadata": False, "type": "realtime", "keywords": s.group, "group": s.group}
                for s in Subject.objects.filter(active=True)])


def _row(t: Ticket) -> dict:
    iso = lambda v: v.astimezone(TZ).isoformat() if v else None  # noqa: E731
    return {
        "service_request_id": t.number, "status": "closed" if t.status == Status.CLOSED else "open",
        "status_notes": t.get_status_display(), "service_name": t.subject.name if t.subject_id else "",
        "service_code": t.subject_id or "", "description": PHONE_LIKE.sub("***", t.text)[:500],
        "agency_responsible": t.department.name if t.department_id else "", "service_notice": "",
        "requested_datetime": iso(t.filed_at), "updated_datetime": iso(t.closed_at or t.filed_at),
        "expected_datetime": iso(t.deadline), "address": t.region.name, "address_id": "", "zipcode": "",
        "lat": t.latitude, "long": t.longitude, "media_url": "",
    }


def _public() -> object:
    return (Ticket.objects.exclude(category=Category.REPORT).select_related("subject", "department", "region")
            .order_by("-filed_at"))


def _list(request: HttpRequest) -> JsonResponse:
    rows = _public()
    ids = [i for i in request.GET.get("service_request_id", "").split(",") if i][:50]
    if ids:
        return _ok([_row(t) for t in rows.filter(number__in=ids)])
    if code := request.GET.get("service_code", ""):
        rows = rows.filter(subject_id__in=code.split(",")[:20])
    status = request.GET.get("status", "")
    if status == "closed":
        rows = rows.filter(status=Status.CLOSED)
    elif status == "open":
        rows = rows.exclude(status=Status.CLOSED)
    for name, op in (("start_date", "gte"), ("end_date", "lte")):
        if value := request.GET.get(name, ""):
            when = parse_datetime(value[:40]) if len(value) < 40 else None
            if when is None:
                return _error(400, f"{name} 应为 W3C 日期时间")
            if when.tzinfo is None:
                when = when.replace(tzinfo=TZ)
            rows = rows.filter(**{f"filed_at__{op}": when})
    if not request.GET.get("start_date"):
        rows = rows.filter(filed_at__gte=dt.datetime.now(TZ) - dt.timedelta(days=90))
    return _ok([_row(t) for t in rows[:1000]])


def _post(request: HttpRequest) -> JsonResponse:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return _error(400, "请求体不是有效的 JSON")
        if not isinstance(data, dict):
            return _error(400, "请求体应为 JSON 对象")
    else:
        data = request.POST.dict()
    key = str(data.get("api_key") or "")
    if not key or not Open311Client.objects.filter(key_hash=Open311Client.hash_key(key), active=True).exists():
        return _error(403, "api_key 无效或未登记")
    client = Open311Client.objects.get(key_hash=Open311Client.hash_key(key))
    ensure_loaded()
    code = str(data.get("service_code") or "")
    subject = Subject.objects.filter(pk=code, active=True).first()
    if subject is None:
        return _error(404, f"service_code 不存在：{code[:40]}")
    lat, lon = data.get("lat"), data.get("long")
    try:
        lat = float(lat) if lat not in (None, "") else None
        lon = float(lon) if lon not in (None, "") else None
    except (TypeError, ValueError):
        return _error(400, "lat/long 应为数字")
    name = f"{data.get('last_name') or ''}{data.get('first_name') or ''}"
    body = {"text": str(data.get("description") or ""), "phone": str(data.get("phone") or ""), "name": name,
            "address": str(data.get("address_string") or ""), "latitude": lat, "longitude": lon,
            "channel": "open311", "region": "210200"}
    try:
        ticket, _ = actions.file_ticket(None, body, source=f"open311:{client.name}")
    except FieldError as exc:
        first = exc.errors[0] if exc.errors else ("body", "无效")
        return _error(400, f"{first[0]}: {first[1]}")
    if ticket.subject_id != subject.code:
        Ticket.objects.filter(pk=ticket.pk).update(subject=subject)
    return _ok([{"service_request_id": ticket.number, "service_notice": "已受理，请记住工单编号", "account_id": None}],
               status=201)


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_view(request: HttpRequest) -> JsonResponse:
    return _post(request) if request.method == "POST" else _list(request)


@login_not_required
@require_GET
def request_detail(request: HttpRequest, number: str) -> JsonResponse:
    ticket = _public().filter(number=number[:20]).first()
    if ticket is None:
        return _error(404, "service_request_id 不存在")
    return _ok([_row(ticket)])
