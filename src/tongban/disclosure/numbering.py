"""Numbers of disclosure: request registration numbers (`GKSQ-2026-000042`, one counter row per
year) and the unified registration numbers of normative documents (统一登记编号, one counter row
per issuer and year, rendered through the issuer's pattern). Both are incremented under the
counter's row lock inside the caller's transaction: unique and gap-free under concurrency, and a
rolled-back filing or publication gives its number back."""

from __future__ import annotations

import re
import string

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from .models import RegistrationCounter, RegistrationPattern, RequestNumberCounter

DEFAULT_TEMPLATE = "DL{abbr}GF-{year}-{seq:04d}"
_FIELDS = {"year", "seq", "abbr"}
_SPEC = re.compile(r"^(0\d{1,2}d|d)?$")


def _bump(model, key: dict) -> int:
    """The next value of the counter row `key` (created at 1), under its row lock."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers must be taken inside the writing transaction")
    for _ in range(3):
        if model.objects.filter(**key).update(last=F("last") + 1):
            return model.objects.filter(**key).values_list("last", flat=True).get()
        try:
            with transaction.atomic():
                model.objects.create(**key, last=1)
            return 1
        except IntegrityError:
            continue  # another writer created the row first: take the next number on it
    raise RuntimeError("could not allocate a number")


def next_number(year: int) -> str:
    return f"GKSQ-{year}-{_bump(RequestNumberCounter, {'year': year}):06d}"


def template_errors(template: str) -> str | None:
    """Why a registration pattern is unusable (None when it is fine)."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return "格式中的花括号不成对"
    names = [name for _, name, _, _ in parts if name is not None]
    if set(names) - _FIELDS:
        return "格式只能使用 {year}、{seq}、{abbr}"
    if "year" not in names or "seq" not in names:
        return "格式须同时含有 {year} 与 {seq}"
    for _, name, spec, conversion in parts:
        if name is not None and (conversion or not _SPEC.match(spec or "")):
            return "序号位数写法应为 {seq:04d}"
    if not re.fullmatch(r"[A-Za-z0-9\-〔〕\u4e00-\u9fff{}:]+", template):
        return "格式只能含字母、数字、汉字、连字符"
    return None


def template_for(issuer) -> str:
    row = RegistrationPattern.objects.filter(issuer=issuer).values_list("template", flat=True).first()
    return row or getattr(settings, "TONGBAN_DISCLOSURE_REGISTRATION_TEMPLATE", DEFAULT_TEMPLATE)


def next_registration_number(issuer, year: int) -> str:
    """The issuer's next 统一登记编号 for `year` — inside the publishing transaction."""
    template = template_for(issuer)
    seq = _bump(RegistrationCounter, {"issuer": issuer.pk, "year": year})
    abbr = (issuer.abbr or issuer.pk).upper().replace("-", "")
    return template.format(year=year, seq=seq, abbr=abbr)
