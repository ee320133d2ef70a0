"""Intake of a ticket from any channel: validation (all errors at once), region from the
caller's words, classification and routing suggestion, the R24 deadline in force at filing,
a readable number, duplicate links. Called by actions.file_ticket inside its transaction."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import phonenumbers
from django.db.models import F

from tongban.core.errors import FieldError
from tongban.identity.models import Region

from .constants import DALIAN_BOX, MAX_TEXT, Category, Channel
from .models import TicketCounter
from .places import districts


def next_number(now: dt.datetime) -> str:
    """`YYYYMMDD` + a 4-digit daily sequence, unique under concurrency (one row per day,
    incremented in place: concurrent filings queue on the row)."""
    from .deadlines import TZ

    day = now.astimezone(TZ).date()
    TicketCounter.objects.bulk_create([TicketCounter(day=day, last=0)], ignore_conflicts=True)
    TicketCounter.objects.filter(day=day).update(last=F("last") + 1)
    last = TicketCounter.objects.values_list("last", flat=True).get(day=day)
    return f"{day:%Y%m%d}{last:04d}"


def normalise_phone(raw: str | None) -> str:
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed) or parsed.country_code != 86:
        raise FieldError("phone", "不是有效的中国大陆电话号码")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164).removeprefix("+86")


def validate(data: dict[str, Any]) -> dict[str, Any]:
    errors: list[tuple[str, str]] = []
    text = (data.get("text") or "").strip()
    if not text:
        errors.append(("text", "诉求内容不能为空"))
    elif len(text) > MAX_TEXT:
        errors.append(("text", f"诉求内容不能超过{MAX_TEXT}字（现为{len(text)}字）"))
    channel = data.get("channel") or Channel.PHONE
    if channel not in Channel.values:
        errors.append(("channel", "渠道应为 phone、web、mobile、message 或 open311"))
    category = data.get("category") or ""
    if category and category not in Category.values:
        errors.append(("category", "诉求类别应为 咨询、求助、投诉、举报、建议 或 表扬"))
    phone = ""
    try:
        phone = normalise_phone(data.get("phone"))
    except FieldError as exc:
        errors.extend(exc.errors)
    region = None
    code = (data.get("region") or "").strip() or "210200"
    region = Region.objects.filter(pk=code).first()
    if region is None:
        errors.append(("region", f"未知的行政区划代码：{code[:12]}"))
    lat, lon = data.get("latitude"), data.get("longitude")
    if (lat is None) != (lon is None):
        errors.append(("latitude" if lat is None else "longitude", "经纬度须同时提供"))
    elif lat is not None:
        box = DALIAN_BOX
        if not (box["min_lat"] <= float(lat) <= box["max_lat"] and box["min_lon"] <= float(lon) <= box["max_lon"]):
            errors.append(("latitude", "坐标不在大连市范围内"))
    name = (data.get("name") or "").strip()
    if len(name) > 40:
        errors.append(("name", "姓名不能超过40字"))
    address = (data.get("address") or "").strip()
    if len(address) > 200:
        errors.append(("address", "地址不能超过200字"))
    if errors:
        raise FieldError(errors=errors)
    return {"text": text, "channel": channel, "category": category, "phone": phone, "region": region,
            "latitude": lat, "longitude": lon, "name": name, "address": address,
            "urgent": bool(data.get("urgent")), "anonymous": bool(data.get("anonymous"))}


def refine_region(region: Region, text: str, address: str) -> Region:
    """A city-wide ticket whose words name exactly one district belongs to that district."""
    if region.level != Region.Level.CITY:
        return region
    named = districts(f"{address} {text}")
    if len(named) == 1:
        found = Region.objects.filter(pk=next(iter(named)), path__startswith=region.path).first()
        if found is not None:
            return found
    return region


def new_secret() -> str:
    return secrets.token_urlsafe(12)
