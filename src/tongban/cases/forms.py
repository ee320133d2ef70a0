"""One form (一表申请): the application form of an item or a bundle as a JSON Schema, built from
the catalogue's field dictionary (`catalog.FormField`: one JSON Schema fragment per key), and
the case's `form` validated against it with `jsonschema`.

Which fields an item asks is its version's `elements["form_fields"]`: a list of field keys, or
of `{"key", "required"}` objects — only a field the catalogue marks required is required. A
bundle asks its `shared_fields` once and each item's own fields once more only when not
already asked (the same key is one field). An item that names no fields has no form to check.

Prefill: values the platform already knows about the applicant (实名认证信息) or the enterprise
acted for (企业登记信息), each with its provenance. Those from an authoritative source are
locked: a submitted form that changes one is refused (422 naming `form.<key>`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from tongban.catalog import selectors as catalog
from tongban.catalog.models import Bundle, FormField, ItemVersion, ServiceItem
from tongban.core.errors import FieldError, NotFound
from tongban.core.identifiers import IdentifierError, validate_id_number, validate_phone, validate_uscc

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SOURCE_IDENTITY = "来自：实名认证信息"
SOURCE_ACCOUNT = "来自：账号信息"
TYPE_NAMES = {"string": "文本", "integer": "整数", "number": "数值", "boolean": "是/否", "object": "对象",
              "array": "列表"}

FORMATS = FormatChecker(formats=())


@FORMATS.checks("date", raises=ValueError)
def _date(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    dt.date.fromisoformat(value)
    return len(value) == 10


def _checks(validate):
    def check(value: Any) -> bool:
        if not isinstance(value, str):
            return True
        try:
            validate(value)
        except IdentifierError:
            return False
        return True
    return check


FORMATS.checks("id_number")(_checks(validate_id_number))
FORMATS.checks("uscc")(_checks(validate_uscc))
FORMATS.checks("phone")(_checks(validate_phone))


# --- which fields ------------------------------------------------------------------------------------

def field_specs(version: ItemVersion) -> list[tuple[str, bool]]:
    """(key, required) of the fields the version names, in order; malformed entries skipped."""
    specs: list[tuple[str, bool]] = []
    for entry in version.elements.get("form_fields") or []:
        if isinstance(entry, str):
            specs.append((entry, False))
        elif isinstance(entry, dict) and isinstance(entry.get("key"), str):
            specs.append((entry["key"], entry.get("required") is True))
    return specs


def _merge(groups: list[list[tuple[str, bool]]]) -> list[tuple[str, bool]]:
    """One entry per key (a shared field is asked once), required if any group requires it."""
    order: dict[str, bool] = {}
    for group in groups:
        for key, required in group:
            order[key] = order.get(key, False) or required
    return list(order.items())


def schema_of(specs: list[tuple[str, bool]], title: str) -> dict[str, Any]:
    fields = {f.key: f for f in FormField.objects.filter(key__in=[k for k, _ in specs])}
    unknown = [k for k, _ in specs if k not in fields]
    if unknown:  # the catalogue names a field the dictionary lacks: a catalogue error, not the applicant's
        raise FieldError("form", f"事项申请表引用了字段字典中不存在的字段：{'、'.join(unknown)}，请联系事项主管部门")
    properties = {k: {**fields[k].schema, "title": fields[k].label} for k, _ in specs}
    return {"$schema": DIALECT, "title": title, "type": "object", "properties": properties,
            "required": [k for k, required in specs if required], "additionalProperties": False}


def item_schema(item: ServiceItem, version: ItemVersion | None = None) -> dict[str, Any] | None:
    """The item's form as JSON Schema; None when the item names no fields."""
    version = version or catalog.version_in_force(item)
    specs = field_specs(version)
    return schema_of(specs, f"{item.name}申请表") if specs else None


def bundle_schema(bundle: Bundle) -> dict[str, Any] | None:
    entries = list(bundle.entries.select_related("item__current_version").order_by("position"))
    groups = [[(k, False) for k in bundle.shared_fields or [] if isinstance(k, str)]]
    groups += [field_specs(catalog.version_in_force(e.item)) for e in entries]
    specs = _merge(groups)
    return schema_of(specs, f"{bundle.name}（一表申请）") if specs else None


def schema_for(*, item: str | None = None, bundle: str | None = None) -> dict[str, Any] | None:
    """The form of an item or a bundle by code (FieldError naming `item`/`bundle` if unknown)."""
    if bundle:
        found = Bundle.objects.filter(code=bundle, active=True).first()
        if found is None:
            raise FieldError("bundle", f"未找到一件事 {bundle}")
        return bundle_schema(found)
    if not item:
        raise FieldError("item", "请填写事项编码（item），或一件事编码（bundle）")
    try:
        return item_schema(catalog.get_item(item))
    except NotFound as exc:
        raise FieldError("item", exc.message) from None


# --- prefill -----------------------------------------------------------------------------------------

def prefill(user: Any, enterprise: Any = None) -> dict[str, dict[str, Any]]:
    """{key: {"value", "source", "locked"}} of what the platform knows, for the applicant
    themself (unmasked: it is their own data)."""
    out: dict[str, dict[str, Any]] = {}
    if getattr(user, "id_number", None):
        out["person.name"] = {"value": user.name, "source": SOURCE_IDENTITY, "locked": True}
        out["person.id_number"] = {"value": user.id_number, "source": SOURCE_IDENTITY, "locked": True}
    if getattr(user, "phone", ""):
        out["contact.phone"] = {"value": user.phone, "source": SOURCE_ACCOUNT, "locked": False}
    if enterprise is not None:
        since = enterprise.created_at.date().isoformat() if getattr(enterprise, "created_at", None) else ""
        source = f"来自：企业登记信息，{since}" if since else "来自：企业登记信息"
        out["enterprise.name"] = {"value": enterprise.name, "source": source, "locked": True}
        out["enterprise.uscc"] = {"value": enterprise.uscc, "source": source, "locked": True}
        if enterprise.legal_representative:
            out["enterprise.legal_representative"] = {"value": enterprise.legal_representative, "source": source,
                                                      "locked": True}
    return out


# --- validation --------------------------------------------------------------------------------------

def _reason(error: Any, schema: dict[str, Any]) -> tuple[str, str]:
    """(form.<field>, Chinese reason) of one jsonschema error."""
    props = schema.get("properties", {})
    key = str(error.path[0]) if error.path else ""
    if error.validator == "required":
        key = error.message.split("'")[1] if "'" in error.message else key
        return f"form.{key}", f"请填写{props.get(key, {}).get('title', key)}"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(props)) if isinstance(error.instance, dict) else []
        return f"form.{extra[0] if extra else ''}".rstrip("."), (
            f"“{'、'.join(extra)}”不是本申请表的字段" if extra else "含有本申请表以外的字段")
    if not key:
        return "form", "申请表应为对象：{字段键: 取值}"
    title = props.get(key, {}).get("title", key)
    rule = error.schema if isinstance(error.schema, dict) else {}
    value = error.validator_value
    reasons = {
        "type": lambda: f"{title}应为{TYPE_NAMES.get(value, value) if isinstance(value, str) else '正确类型'}",
        "maxLength": lambda: f"{title}不能超过{value}个字符",
        "minLength": lambda: f"{title}至少{value}个字符",
        "minimum": lambda: f"{title}不能小于{value}",
        "maximum": lambda: f"{title}不能大于{value}",
        "enum": lambda: f"{title}应为以下之一：{'、'.join(map(str, value))}",
        "format": lambda: f"{title}格式不正确" + ("（应为 YYYY-MM-DD）" if value == "date" else ""),
        "pattern": lambda: f"{title}格式不正确",
    }
    return f"form.{key}", reasons.get(error.validator, lambda: f"{title}不符合要求（{rule.get('title', '')}）")()


def validate(schema: dict[str, Any], form: Any) -> None:
    """Every problem of the form at once: a FieldError naming `form.<field>` each."""
    validator = Draft202012Validator(schema, format_checker=FORMATS)
    errors = sorted(validator.iter_errors(form), key=lambda e: (list(map(str, e.path)), e.validator))
    if errors:
        seen: dict[str, str] = {}
        for e in errors:
            field, reason = _reason(e, schema)
            seen.setdefault(field, reason)
        raise FieldError(errors=list(seen.items()))


def check_locked(form: dict[str, Any], known: dict[str, dict[str, Any]], schema: dict[str, Any]) -> None:
    """A locked (authoritative) value may be left out or repeated, never changed."""
    props = schema.get("properties", {})
    errors = [(f"form.{k}", f"{props[k].get('title', k)}{known[k]['source']}，不能修改")
              for k in props if k in form and k in known and known[k]["locked"] and form[k] != known[k]["value"]]
    if errors:
        raise FieldError(errors=errors)


def check_submission(user: Any, enterprise: Any, form: Any, *, item: str | None = None,
                     bundle: str | None = None, service_item: ServiceItem | None = None,
                     version: ItemVersion | None = None) -> None:
    """What `actions.submit` calls: validate the form of the item or bundle, if it has one.
    An unknown item or bundle is left to the caller to report (it names the field); a caller
    that has already resolved the item passes it (and its version in force) as `service_item`."""
    try:
        schema = (item_schema(service_item, version) if service_item is not None
                  else schema_for(item=item, bundle=bundle))
    except FieldError as exc:
        if exc.errors and exc.errors[0][0] in ("item", "bundle"):
            return
        raise
    if schema is None:
        return
    validate(schema, form if form is not None else {})
    check_locked(form or {}, prefill(user, enterprise), schema)
