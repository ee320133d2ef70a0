"""Pydantic's validation errors, translated into INTERFACES.md's shape with Chinese messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .errors import FieldError

MESSAGES = {
    "missing": "此项为必填项",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_parsing": "应为布尔值",
    "bool_type": "应为布尔值",
    "float_parsing": "应为数字",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD，且须为真实存在的日期",
    "date_parsing": "日期格式应为 YYYY-MM-DD，且须为真实存在的日期",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式应为 ISO 8601",
    "datetime_from_date_parsing": "时间格式应为 ISO 8601",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "greater_than": "数值过小",
    "less_than": "数值过大",
    "enum": "不是允许的取值",
    "literal_error": "不是允许的取值",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "model_attributes_type": "应为对象",
    "json_invalid": "请求体不是有效的 JSON",
    "extra_forbidden": "不允许的字段",
}
PARAMETER_NAMES = {"payload", "data", "params", "filters"}
CONTAINERS = {"body", "query", "path", "header", "cookie", "form", "payload", "data", "params", "filters"}


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """The field's path without the leading containers (`body`, `payload` …): a field that is
    itself named like a container (a case's `form`) keeps its name."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in CONTAINERS:  # where: body, query, path …
        parts.pop(0)
    if parts and parts[0] in PARAMETER_NAMES:  # the operation's schema parameter
        parts.pop(0)
    return ".".join(parts) or "body"


def message_for(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    base = MESSAGES.get(kind)
    ctx = error.get("ctx") or {}
    if kind in {"string_too_long", "string_too_short"} and ctx:
        limit = ctx.get("max_length", ctx.get("min_length"))
        return f"{base}（长度限制 {limit}）"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"} and ctx:
        bound = next(iter(ctx.values()))
        return f"{base}（界限 {bound}）"
    if kind in {"enum", "literal_error"} and ctx.get("expected"):
        return f"{base}，可选：{ctx['expected']}"
    return base or f"格式不正确（{error.get('msg', kind)}）"


def translate_validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"field": field_name(e.get("loc", ())), "message": message_for(e)} for e in errors]


def parse_day(value: Any, field: str) -> dt.date | None:
    """A day from a query parameter (YYYY-MM-DD; a date passes as it is); empty → None; anything
    else → 422 naming `field`."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise FieldError(field, MESSAGES["date_type"]) from None
