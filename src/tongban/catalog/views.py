"""The catalogue's public pages (办事指南): search, browse, guides, versions and their diff,
scenario questionnaires and one-thing bundles. Thin views: parse the request, ask a selector
(the same functions the API answers from), render. Every page is public, GET only; an item,
version, bundle or region that does not exist is a 404 page saying which.

Scenario answers travel in the query string as `q_<question key>=<label>`, so the result of a
questionnaire is a link anyone can open again (and works without JavaScript)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from tongban.core.errors import FieldError, NotFound

from . import actions, searching, selectors
from .constants import ALL_LISTS, ENTERPRISE_STAGES, LIFE_STAGES, PERSON_STAGES, THEMES, Audience, Source
from .licensing import holder_of, licence_provider

REGION_COOKIE = "tb_region"
ANSWER_PREFIX = "q_"
SEARCH_LIMIT = 30
BROWSE_PAGE_SIZE = 20


CHANGES_PAGE_SIZE = 30


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A public GET page: anyone may open it; a NotFound becomes the 404 page naming what is
    missing."""

    @login_not_required
    @require_GET
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return render(request, "catalog/not_found.html", {"message": exc.message}, status=404)

    return wrapper


def is_htmx(request: HttpRequest) -> bool:
    """A fragment request from htmx (not a history restore, which needs the whole page)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


def facets() -> dict[str, Any]:
    """What the home page and the catalogue index offer to browse by."""
    return {
        "themes": THEMES,
        "person_stages": [(k, v) for k, v in PERSON_STAGES.items() if k != "other"],
        "enterprise_stages": list(ENTERPRISE_STAGES.items()),
        "special_lists": ALL_LISTS,
        "audiences": [(Audience.PERSON, "个人办事"), (Audience.ENTERPRISE, "法人办事")],
    }


def remembered_region(request: HttpRequest) -> str:
    return request.COOKIES.get(REGION_COOKIE, "").strip()[:12]


def region_context(request: HttpRequest) -> dict[str, Any]:
    regions = selectors.guide_regions()
    chosen = remembered_region(request)
    return {"regions": regions, "chosen_region": next((r for r in regions if r.code == chosen), None)}


# --- search and browse ------------------------------------------------------------------------------

@public_page
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/index.html", {
        **facets(), **region_context(request), "departments": selectors.departments_with_items(),
        "bundles": selectors.bundles(), "hot": selectors.hot_items()})


def understood(q: str) -> dict[str, Any] | None:
    """How the search layer read the query: the normalised words it searched for and the
    synonyms it expanded (None when the search app is not installed or nothing is left)."""
    if not q or not apps.is_installed("tongban.search"):
        return None
    from tongban.search.query import analyse
    from tongban.search.selectors import synonym_table

    table = synonym_table()
    query = analyse(q, table)
    if query.is_empty:
        return None
    synonyms, taken = [], ""
    for key in sorted((k for k in table if k in query.core), key=len, reverse=True):
        if key not in taken:  # as the search layer does: not inside a longer synonym found first
            synonyms.append((key, table[key]))
            taken += f" {key}"
    return {"text": query.text, "core": query.core, "synonyms": synonyms[:3],
            "changed": query.core != q.replace(" ", "")}


@public_page
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:searching.MAX_QUERY]
    audience = request.GET.get("audience", "")
    region = request.GET.get("region", "")
    theme = request.GET.get("theme", "")
    errors = []
    if audience and audience not in Audience.values:
        errors.append("服务对象应为“个人”或“法人”")
        audience = ""
    if q or audience or region or theme:
        results = searching.search(q, audience=audience, region=region, theme=theme, limit=SEARCH_LIMIT)
        hot = False
    else:  # an empty query shows the hot services
        results, hot = selectors.hot_items(limit=SEARCH_LIMIT), True
    bundles = [s for s in searching.suggest(q) if s["kind"] == "bundle"] if q else []
    return render(request, "catalog/search.html", {
        "q": q, "audience": audience, "region": region, "theme": theme, "results": results, "hot": hot,
        "bundles": bundles, "understood": understood(q), "errors": errors, "themes": THEMES,
        "regions": selectors.guide_regions(), "audiences": facets()["audiences"]})


@public_page
def suggest(request: HttpRequest) -> HttpResponse:
    """Suggestions as you type, as an HTML fragment for the search box (htmx)."""
    q = request.GET.get("q", "")
    rows = searching.suggest(q) if q.strip() else []
    for row in rows:
        row["url"] = reverse("catalog:bundle", args=[row["code"]]) if row["kind"] == "bundle" else \
            reverse("catalog:guide", args=[row["code"]])
    return render(request, "catalog/_suggestions.html", {"suggestions": rows, "q": q})


BROWSE_FILTERS = ("theme", "department", "stage", "audience", "list")


def browse_title(params: dict[str, str], department_name: str) -> str:
    parts = []
    if params["theme"]:
        parts.append(f"主题：{params['theme']}")
    if params["department"]:
        parts.append(f"部门：{department_name or params['department']}")
    if params["stage"]:
        parts.append(f"{'企业' if params['stage'] in ENTERPRISE_STAGES else '人生'}阶段："
                     f"{LIFE_STAGES.get(params['stage'], params['stage'])}")
    if params["audience"]:
        parts.append("个人办事" if params["audience"] == Audience.PERSON else "法人办事")
    if params["list"]:
        parts.append(f"特色清单：{params['list']}")
    return "，".join(parts) or "全部事项"


@public_page
def browse(request: HttpRequest) -> HttpResponse:
    """Items by theme, department, life stage, audience and special list (combinable)."""
    params = {k: request.GET.get(k, "").strip()[:60] for k in BROWSE_FILTERS}
    errors = []
    try:
        rows = selectors.browse_items(theme=params["theme"], department=params["department"],
                                      life_stage=params["stage"], audience=params["audience"],
                                      special_list=params["list"])
    except FieldError as exc:
        errors = [m for _, m in exc.errors]
        rows = selectors.browse_items()
    page = Paginator(rows, BROWSE_PAGE_SIZE).get_page(request.GET.get("page"))
    departments = selectors.departments_with_items()
    department_name = next((d.name for d in departments if d.pk == params["department"]), "")
    keep = urlencode({k: v for k, v in params.items() if v})
    return render(request, "catalog/browse.html", {
        **facets(), **region_context(request), "params": params, "page": page, "errors": errors,
        "title": browse_title(params, department_name), "departments": departments, "keep": keep})


@login_not_required
@require_POST
def choose_region(request: HttpRequest) -> HttpResponse:
    """Remember the visitor's region (a cookie); guides are then shown as implemented there."""
    target = request.POST.get("next", "/services/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/services/"
    response = redirect(target)
    code = request.POST.get("region", "").strip()
    if code and any(r.code == code for r in selectors.guide_regions()):
        response.set_cookie(REGION_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax")
    else:
        response.delete_cookie(REGION_COOKIE)
    return response


# --- the guide ---------------------------------------------------------------------------------------

def preparation(material: dict[str, Any], held: dict[str, Any]) -> dict[str, Any]:
    """One line of the "您需要准备" checklist: whether the applicant has anything to do."""
    licence = material["licence_type"]
    if licence and licence["code"] in held:
        return {"state": "held", "text": f"您已持有{held[licence['code']].describe()}，平台直接调取，无需提交"}
    if licence:
        return {"state": "todo", "text": f"平台未查到您持有有效的《{licence['name']}》电子证照，请准备"
                                         f"{material['original_or_copy']}{material['copies']}份"}
    if material["source"] == Source.DEPARTMENT:
        return {"state": "none", "text": material["provision_hint"]}
    if material["source"] == Source.FORM:
        return {"state": "form", "text": material["provision_hint"]}
    return {"state": "todo", "text": f"请准备{material['original_or_copy']}{material['copies']}份（可上传电子件）"}


def checklist(request: HttpRequest, materials: list[dict[str, Any]]) -> dict[str, Any] | None:
    """For a signed-in applicant: each material marked with what they already hold, asked
    through the LicenceProvider seam (R12: what the government issued is fetched)."""
    if not request.user.is_authenticated:
        return None
    holder = holder_of(request.user)
    types = {m["licence_type"]["code"] for m in materials if m["licence_type"]}
    held = licence_provider().held(holder, types) if holder and types else {}
    rows = [{"material": m, **preparation(m, held)} for m in materials]
    return {"holder": bool(holder), "rows": rows, "held": sum(r["state"] == "held" for r in rows),
            "todo": sum(r["state"] == "todo" for r in rows)}


@public_page
def guide(request: HttpRequest, code: str) -> HttpResponse:
    explicit = request.GET.get("region", "").strip()
    remembered = remembered_region(request)
    notice = ""
    try:
        data = selectors.guide(code, explicit or remembered or None)
    except NotFound as exc:
        if explicit or not remembered:
            raise
        data = selectors.guide(code, None)  # the remembered region does not carry it: say so, show the city's
        notice = f"{exc.message}。以下是{data['region']['name']}的办事指南。"
    actions.record_view(data["code"])
    return render(request, "catalog/guide.html", {
        "g": data, "notice": notice, "checklist": checklist(request, data["materials"]),
        "bundles": selectors.bundles_with_item(code), **region_context(request),
        "conditional": any(not m["required"] for m in data["materials"])})


# --- versions -----------------------------------------------------------------------------------------

@public_page
def versions(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.get_item(code)
    rows = [selectors.version_summary(v) for v in selectors.versions_of(item)[:100]]
    return render(request, "catalog/versions.html", {"item": item, "versions": rows})


@public_page
def changes(request: HttpRequest) -> HttpResponse:
    """The public change log of the whole catalogue (S1 (十): published at once), newest first."""
    page = Paginator(selectors.changes(), CHANGES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalog/changes.html", {
        "page": page, "rows": [selectors.change_out(v) for v in page.object_list]})


@public_page
def version(request: HttpRequest, code: str, number: int) -> HttpResponse:
    item = selectors.get_item(code)
    return render(request, "catalog/version.html", {"item": item, "g": selectors.version_detail(item, number)})


def lines(value: Any) -> list[str]:
    """An element's value as lines a person can compare."""
    if value in (None, "", [], {}):
        return []
    if isinstance(value, list):
        return [line for v in value for line in lines(v)]
    if isinstance(value, dict):
        if "provision_hint" in value:  # a material
            extra = "" if value["required"] else "｜视情形需要"
            extra += "｜可容缺" if value["tolerable"] else ""
            kind = f"{value['original_or_copy']}{value['copies']}份"
            return [f"{value['name']}｜{kind}｜{value['provision_hint']}{extra}"]
        if "options" in value and "text" in value:  # a question
            return [f"{value['text']}（{'／'.join(str(o) for o in value['options'])}）"]
        if "step" in value:  # a process step
            notes = ("｜现场" if value.get("on_site") else "") + ("" if value.get("counted", True) else "｜不计时")
            return [f"{value['step']}（{value.get('role', '')}）{notes}"]
        if "q" in value and "a" in value:
            return [f"问：{value['q']} 答：{value['a']}"]
        return ["；".join(f"{k}：{v}" for k, v in value.items())]
    return [str(value)]


@public_page
def diff(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.get_item(code)
    numbers = [v.number for v in selectors.versions_of(item)]
    errors = []
    try:
        a = int(request.GET.get("a") or (numbers[1] if len(numbers) > 1 else numbers[0]))
        b = int(request.GET.get("b") or numbers[0])
    except ValueError:
        errors.append("版本号应为数字")
        a = b = numbers[0]
    result = selectors.compare(item, a, b)
    rows = []
    for change in result["changes"]:
        before, after = lines(change["before"]), lines(change["after"])
        rows.append({**change, "before_lines": before, "after_lines": after,
                     "removed": [x for x in before if x not in after], "added": [x for x in after if x not in before]})
    return render(request, "catalog/diff.html", {"item": item, "a": a, "b": b, "rows": rows,
                                                  "numbers": numbers, "errors": errors})


# --- scenario questionnaires ------------------------------------------------------------------------

def answers_of(request: HttpRequest) -> dict[str, str]:
    return {k[len(ANSWER_PREFIX):]: v.strip()[:200] for k, v in request.GET.items()
            if k.startswith(ANSWER_PREFIX) and len(k) > len(ANSWER_PREFIX) and v.strip()}


def resolve(compute: Callable[[dict[str, str]], dict[str, Any]], answers: dict[str, str]
            ) -> tuple[dict[str, Any], list[str], dict[str, str]]:
    """The result for the answers. An unknown question or label is reported (shown inline
    on the page) and left out; the rest still counts. → (result, errors, accepted answers)"""
    try:
        return compute(answers), [], answers
    except FieldError as exc:
        bad = {field.removeprefix("answers.") for field, _ in exc.errors}
        accepted = {k: v for k, v in answers.items() if k not in bad}
        return compute(accepted), [message for _, message in exc.errors], accepted


def questionnaire(request: HttpRequest, *, questions: list[dict[str, Any]], result: dict[str, Any],
                  accepted: dict[str, str], errors: list[str], action: str) -> dict[str, Any]:
    """Context for the questionnaire fragment: the questions to show (answered ones and the
    ones now applicable — a dependent question appears once its precondition is answered),
    the material list and the shareable link of these answers."""
    pending = {q["key"] for q in result["pending_questions"]}
    if "answered" in result:  # an item's result says which answers applied
        answered = {a["key"]: a["answer"] for a in result["answered"]}
    else:
        answered = {k: v for k, v in accepted.items() if k not in pending}
    shown = [{**q, "chosen": answered.get(q["key"], "")} for q in questions
             if q["key"] in pending or q["key"] in answered]
    query = urlencode({ANSWER_PREFIX + q["key"]: q["chosen"] for q in shown if q["chosen"]})
    link = f"{action}?{query}" if query else action
    return {"questions": shown, "materials": result["materials"], "errors": errors, "action": action,
            "pending_count": len(pending), "answered_count": sum(1 for q in shown if q["chosen"]),
            "share_path": link, "share_url": request.build_absolute_uri(link)}


def render_questionnaire(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    fragment = is_htmx(request)
    template = "catalog/_situation.html" if fragment else "catalog/situation.html"
    response = render(request, template, {**context, "fragment": fragment})
    response["Vary"] = "HX-Request"
    return response


@public_page
def item_situation(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.get_item(code)
    standard = selectors.standard_view(item, selectors.version_in_force(item))
    result, errors, accepted = resolve(lambda a: selectors.situation(code, a), answers_of(request))
    action = reverse("catalog:situation", args=[code])
    return render_questionnaire(request, {
        "subject": standard, "kind": "item", "back": reverse("catalog:guide", args=[code]),
        **questionnaire(request, questions=standard["questions"], result=result, accepted=accepted,
                        errors=errors, action=action)})


@public_page
def bundle_situation(request: HttpRequest, code: str) -> HttpResponse:
    detail = selectors.bundle_detail(code)
    result, errors, accepted = resolve(lambda a: selectors.bundle_situation(code, a), answers_of(request))
    action = reverse("catalog:bundle-situation", args=[code])
    names = {i["code"]: i["name"] for i in detail["items"]}
    context = questionnaire(request, questions=detail["questions"], result=result, accepted=accepted,
                            errors=errors, action=action)
    for m in context["materials"]:
        m["item_names"] = [names.get(c, c) for c in m.get("items", [])]
    return render_questionnaire(request, {"subject": detail, "kind": "bundle",
                                          "back": reverse("catalog:bundle", args=[code]), **context})


# --- bundles --------------------------------------------------------------------------------------------

@public_page
def bundle_list(request: HttpRequest) -> HttpResponse:
    rows = [selectors.bundle_summary(b) for b in selectors.bundles()]
    return render(request, "catalog/bundles.html", {"bundles": rows})


@public_page
def bundle(request: HttpRequest, code: str) -> HttpResponse:
    detail = selectors.bundle_detail(code)
    names = {i["code"]: i["name"] for i in detail["items"]}
    for m in detail["materials"]:
        m["item_names"] = [names.get(c, c) for c in m["items"]]
    return render(request, "catalog/bundle.html", {"b": detail, "checklist": checklist(request, detail["materials"])})
