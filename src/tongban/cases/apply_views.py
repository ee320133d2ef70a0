"""The online application page (一表申请, issue 5 items 2–4): `/cases/apply/<item or bundle>/`.

One page: the eligibility pre-check in the guide's words (unknown facts asked, never guessed),
the one form rendered from the catalogue's field dictionary with every prefilled value's
provenance (authoritative ones locked), the material list saying which materials the platform
fetches and which the applicant uploads after filing, the region. The form autosaves as a
draft (htmx, on change) that resumes on any device; filing runs `actions.submit` — a refused
form comes back with each field's reason and nothing lost, a double-clicked submit files once
(a one-time form token, recorded with the case in one transaction)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.http import require_http_methods, require_POST

from tongban.catalog import selectors as catalog
from tongban.catalog.licensing import holder_of
from tongban.catalog.models import Bundle, ServiceItem
from tongban.core.errors import Conflict, FieldError, NotFound
from tongban.core.models import IdempotencyRecord
from tongban.identity.middleware import session_acting_for
from tongban.identity.models import Enterprise
from tongban.identity.selectors import active_membership

from . import actions, consents, draft_actions, eligibility, forms, intake
from . import materials as mats
from .models import CaseDraft

SOURCE_WORDS = {"applicant": "提交申请后在办件页上传（PDF、JPG、PNG 或 OFD）", "form": "在线填写，无需另交",
                "department": "由部门共享调取，无需提交"}


def _target(code: str) -> tuple[ServiceItem | None, Bundle | None]:
    bundle = Bundle.objects.filter(code=code, active=True).first()
    if bundle is not None:
        return None, bundle
    item = ServiceItem.objects.filter(code=code, active=True, current_version__isnull=False).first()
    if item is None:
        raise Http404(f"未找到事项或一件事 {code}")
    return item, None


def _enterprise(request: HttpRequest) -> Enterprise | None:
    uscc = session_acting_for(request)
    return active_membership(request.user, uscc).enterprise if uscc else None


def _regions(item: ServiceItem | None) -> list[tuple[str, str]]:
    if item is None:
        return [(r.code, r.name) for r in catalog.guide_regions()]
    rows = item.implementations.select_related("region").order_by("region__path")
    return [(i.region_id, i.region.name) for i in rows]


def _widget(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return "select"
    kind = schema.get("type")
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return "number"
    if schema.get("format") == "date":
        return "date"
    return "textarea" if int(schema.get("maxLength") or 0) > 200 else "text"


def _fields(schema: dict[str, Any] | None, known: dict[str, dict[str, Any]], values: dict[str, Any],
            errors: dict[str, str]) -> list[dict[str, Any]]:
    if not schema:
        return []
    required = set(schema.get("required") or [])
    out = []
    for key, prop in schema["properties"].items():
        fact = known.get(key)
        locked = bool(fact and fact["locked"])
        value = fact["value"] if locked else values.get(key, fact["value"] if fact else "")
        out.append({"key": key, "id": "f-" + key.replace(".", "-"), "label": prop.get("title", key),
                    "widget": _widget(prop), "choices": prop.get("enum") or [], "required": key in required,
                    "maxlength": prop.get("maxLength"), "value": "" if value is None else value,
                    "locked": locked, "source": fact["source"] if fact else "", "error": errors.get(f"form.{key}")})
    return out


def _coerce(prop: dict[str, Any], raw: str | None) -> Any:
    """A posted string as the schema's type; what cannot be read is left for the schema to name."""
    kind = prop.get("type")
    if kind == "boolean":
        return raw in ("on", "true", "1")
    if raw is None or raw.strip() == "":
        return None
    raw = raw.strip()
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
    except ValueError:
        return raw
    return raw


def posted_form(schema: dict[str, Any] | None, post: Any) -> dict[str, Any]:
    if not schema:
        return {}
    form = {}
    for key, prop in schema["properties"].items():
        value = _coerce(prop, post.get(key))
        if value is not None:
            form[key] = value
    return form


def _materials(item: ServiceItem | None, user: Any, enterprise: Enterprise | None,
               region: str = "") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The material list, and the consent preview of every fetch (EU OOTS-style): which fields
    of which licence go to which department for this application — each fetched only if the
    applicant ticks its box. Applicant materials the vault holds are offered for reuse."""
    if item is None:
        return [], []
    rows = mats.material_list(catalog.version_in_force(item), {})
    try:
        _, impl = intake.resolve_item(item.code, region or None)
    except FieldError:
        impl = None
    preview = (consents.fetches(rows, holder_of(user, enterprise), department=impl.department, item=item)
               if impl is not None else {})
    offers = intake.reusable_uploads(user, enterprise, rows)
    today = timezone.localdate()
    out = []
    for r in rows:
        kind = r["source"].split(":", 1)[0]
        fetch = preview.get(r["name"])
        usable = [o for o in offers.get(r["name"], []) if o.usable_on(today)]
        expired = [o for o in offers.get(r["name"], []) if not o.usable_on(today)]
        if fetch is not None:
            how = f"可由平台从{fetch.record}调取（须您在下方同意，R12）"
        elif usable:
            how = f"可复用{usable[0].describe()}"
        elif expired:
            how = (f"材料库中的《{expired[0].name}》已于 {expired[0].valid_until.isoformat()} 过期，不能复用；"
                   + SOURCE_WORDS["applicant"])
        else:
            how = SOURCE_WORDS.get(kind, SOURCE_WORDS["applicant"])
        out.append({"name": r["name"], "required": r["required"], "how": how, "fetched": fetch is not None,
                    "tolerable": r.get("tolerable", False), "offer": usable[0] if usable else None})
    return out, [f.out() for f in preview.values()]


def posted_claims(item: ServiceItem | None, user: Any, enterprise: Enterprise | None, region: str,
                  post: Any) -> list[dict[str, Any]]:
    """The consents (`consent` = a preview's digest) and reuses (`reuse` = a vault entry) the
    applicant ticked, as the request's material claims. A digest no longer in the preview (the
    record or the department changed) is refused: the applicant consents to what is shown."""
    if item is None:
        return []
    _, fetchable = _materials(item, user, enterprise, region)
    by_digest = {f["digest"]: f["material"] for f in fetchable}
    claims: list[dict[str, Any]] = []
    for digest in post.getlist("consent"):
        if digest not in by_digest:
            raise FieldError("form", "证照调取的内容已变化（证照、字段或接收部门），请重新查看调取预览后再同意")
        claims.append({"name": by_digest[digest], "provision": "fetched", "consent": digest})
    rows = mats.material_list(catalog.version_in_force(item), {})
    offers = intake.reusable_uploads(user, enterprise, rows)
    by_entry = {o.entry_id: name for name, found in offers.items() for o in found}
    for raw in post.getlist("reuse"):
        entry = int(raw) if raw.isdigit() else None
        if entry not in by_entry:
            raise FieldError("form", "所选的材料库材料已不可用，请刷新页面后重新选择")
        claims.append({"name": by_entry[entry], "provision": "reused", "reuse_from": entry})
    return claims


def _page(request: HttpRequest, code: str, *, values: dict[str, Any] | None = None,
          errors: dict[str, str] | None = None, status: int = 200, region: str = "",
          consented: list[str] | None = None, reused: list[str] | None = None) -> HttpResponse:
    item, bundle = _target(code)
    enterprise = _enterprise(request)
    draft = CaseDraft.objects.filter(user=request.user, holder=enterprise.uscc if enterprise else "",
                                     code=code).first()
    schema = forms.schema_for(bundle=code) if bundle else forms.schema_for(item=code)
    known = forms.prefill(request.user, enterprise)
    values = values if values is not None else (draft.form if draft else {})
    regions = _regions(item)
    region = region or (draft.region_id if draft and draft.region_id else "") or request.COOKIES.get(
        "tongban_region", "") or (regions[0][0] if regions else "")
    check = None
    if item is not None:
        try:
            check = eligibility.check(request.user, item=code, region=region or None,
                                      on_behalf_of=enterprise.uscc if enterprise else None)
        except FieldError:
            check = None
    materials, fetches = _materials(item, request.user, enterprise, region)
    bundle_consent = consents.bundle_page_preview(request.user, enterprise, code, region) if bundle else None
    return render(request, "cases/apply.html", {
        "bundle_consent": bundle_consent,
        "code": code, "item": item, "bundle": bundle, "enterprise": enterprise, "draft": draft,
        "fields": _fields(schema, known, values, errors or {}), "errors": errors or {},
        "materials": materials, "fetches": fetches, "regions": regions, "region": region,
        "consented": set(consented or []), "reused": set(reused or []),
        "check": check, "token": uuid.uuid4().hex,
        "failed": [r for r in (check or {}).get("results", []) if r["status"] == "failed"],
    }, status=status)


def _page_errors(exc: FieldError) -> dict[str, str]:
    out: dict[str, str] = {}
    for field, message in exc.errors:
        key = field or "form"
        if not key.startswith("form.") and key not in ("region", "form"):
            key = "form"
        out[key] = f"{out[key]}；{message}" if key in out else message
    return out


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    if request.method == "GET":
        return _page(request, code)
    item, bundle = _target(code)
    enterprise = _enterprise(request)
    schema = forms.schema_for(bundle=code) if bundle else forms.schema_for(item=code)
    form = posted_form(schema, request.POST)
    region = (request.POST.get("region") or "").strip()
    token = (request.POST.get("token") or "").strip()[:64]
    kept = {"consented": request.POST.getlist("consent"), "reused": request.POST.getlist("reuse")}
    if not token:
        return _page(request, code, values=form, errors={"form": "表单已失效，请重新提交"}, status=422, region=region,
                     **kept)
    caller, key = f"u{request.user.pk}", f"apply:{token}"
    earlier = IdempotencyRecord.objects.filter(caller=caller, key=key).first()
    if earlier is not None and earlier.body:  # a double-clicked submit: the case it filed
        return redirect("cases:track", number=json.loads(earlier.body)["number"])
    try:
        with transaction.atomic():
            claims = (consents.posted_bundle_claims(request.user, enterprise, code, region,
                                                    request.POST.get("bundle_consent")) if bundle
                      else posted_claims(item, request.user, enterprise, region, request.POST))
            record = IdempotencyRecord.objects.create(caller=caller, key=key, method="POST",
                                                      path=request.path[:300], request_hash="")
            case = actions.submit(request.user, item=None if bundle else code, bundle=code if bundle else None,
                                  region=region or None, form=form, materials=claims,
                                  on_behalf_of=enterprise.uscc if enterprise else None)
            record.status, record.body = 201, json.dumps({"number": case.number})
            record.save(update_fields=["status", "body"])
    except IntegrityError:  # the other click is filing it right now
        return _page(request, code, values=form, errors={"form": "申请正在提交，请稍候在“我的办件”中查看"},
                     status=409, region=region, **kept)
    except FieldError as exc:
        return _page(request, code, values=form, errors=_page_errors(exc), status=422, region=region, **kept)
    except (Conflict, NotFound) as exc:
        return _page(request, code, values=form, errors={"form": exc.message}, status=409, region=region, **kept)
    messages.success(request, f"申请已提交，办件编号 {case.number}。请按材料清单上传需要提交的材料。")
    return redirect("cases:track", number=case.number)


@require_POST
def autosave(request: HttpRequest, code: str) -> HttpResponse:
    """htmx: save the draft as the applicant types; answers a one-line status."""
    _, bundle = _target(code)
    schema = forms.schema_for(bundle=code) if bundle else forms.schema_for(item=code)
    try:
        draft_actions.save_draft(request.user, code=code, form=posted_form(schema, request.POST),
                                 region=(request.POST.get("region") or "").strip() or None,
                                 enterprise=_enterprise(request))
    except FieldError as exc:
        return HttpResponse(f'<span class="field-error">草稿未保存：{escape(exc.errors[0][1])}</span>')
    return HttpResponse(f'<span class="muted">草稿已自动保存（{timezone.localtime():%H:%M}），'
                        "可在任一设备登录后继续填写</span>")
