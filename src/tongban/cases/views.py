"""The applicant's pages of cases: my cases, the tracking page (timeline, clock, the "why is my
case waiting" line, notices, materials, withdrawal), the printable receipt, and the notice PDFs
(also for the case's officers).

Thin views: fetch and authorise through `selectors.get_case` (outside the caller's scope →
404, never a hint), read through `selectors.case_detail` (the API's own reading of the
clock), write through `actions`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from tongban.core import audit
from tongban.core.errors import Conflict, FieldError, NotFound

from . import actions, file_actions, notices, pages, permissions, selectors
from .constants import CLOSED, OFFICER_ACTIONS, NoticeKind, Status
from .models import Case, CaseFile

PAGE_SIZE = 20


def _case_or_404(user: Any, number: str) -> Case:
    try:
        return selectors.get_case(user, number)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _clock_context(detail: dict[str, Any]) -> dict[str, Any]:
    clock = detail["clock"]
    words, tone = pages.clock_words(clock["state"])
    return {"state": clock["state"], "words": words, "tone": tone, "pair": (words, tone),
            "unit": pages.unit_words(clock["unit"]),
            "days_used": clock["days_used"], "limit": clock["limit"], "days_left": clock["days_left"],
            "days_over": max(-clock["days_left"], 0),
            "promised_days": clock["promised_days"], "deadline": pages.parse_day(detail["deadline"]),
            "promised_deadline": pages.parse_day(detail["promised_deadline"]),
            "projected": detail["deadlines_projected"]}


def _notice_links(case: Case) -> list[dict[str, str]]:
    return [{"kind": k, "title": NoticeKind(k).label} for k in pages.notice_kinds(case)]


def case_context(user: Any, case: Case, *, for_applicant: bool) -> dict[str, Any]:
    """What the tracking page and the officer's case page both show."""
    detail = selectors.case_detail(user, case)
    # the applicant sees which department acted; officers see the colleague's name
    steps = [{**s, "who": detail["department"]["name"] if for_applicant and s["action"] in OFFICER_ACTIONS
              else s["actor"], "at_dt": dt.datetime.fromisoformat(s["at"])} for s in detail["steps"]]
    return {"case": case, "detail": detail, "clock": _clock_context(detail), "steps": steps,
            "waiting": pages.waiting_line(detail, for_applicant=for_applicant),
            "notices": _notice_links(case), "closed": case.status in CLOSED,
            "children": [{**c, "clock_words": pages.clock_words(c["clock_state"])} for c in detail["children"]]}


# --- my cases ---------------------------------------------------------------------------------------

@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    if pages.is_case_staff(request.user) and not request.user.id_number:
        return redirect("staff:cases:queue")
    page = Paginator(pages.my_cases(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for case in page.object_list:
        row = selectors.list_row(case)
        row["clock_words"] = pages.clock_words(row["clock_state"])
        row["deadline_day"] = pages.parse_day(row["deadline"] or row["promised_deadline"])
        rows.append(row)
    return render(request, "cases/my_cases.html", {"page": page, "rows": rows})


# --- the tracking page ------------------------------------------------------------------------------

def _track(request: HttpRequest, case: Case, *, errors: dict[str, str] | None = None, status: int = 200,
           values: Any = None, upload_errors: dict[str, Any] | None = None) -> HttpResponse:
    own = permissions.speaks_for_applicant(request.user, case)
    context = case_context(request.user, case, for_applicant=own)
    context.update({"own": own, "can_withdraw": own and case.status in actions.WITHDRAWABLE,
                    "can_upload": own and case.status in file_actions.UPLOADABLE_STATES,
                    "correction": correction_to_supply(case) if own else None,
                    "consent_url": _consent_url(case, context["detail"]["materials"]) if own else None,
                    "upload_errors": upload_errors, "errors": errors or {}, "values": values or {}})
    return render(request, "cases/track.html", context, status=status)


def _consent_url(case: Case, materials: list[dict[str, Any]]) -> str | None:
    """The page where the applicant consents to (or withdraws) the fetching of licence materials,
    while the case is not yet accepted — served by the app that fetches them, when installed."""
    from django.urls import NoReverseMatch, reverse

    fetchable = case.bundle_id or any(m["source"] in ("licence", "department") for m in materials)
    if case.accepted_on is not None or case.status in CLOSED or not fetchable:
        return None
    try:
        return reverse("licences:consents", args=[case.number])
    except NoReverseMatch:
        return None


def correction_to_supply(case: Case) -> dict[str, Any] | None:
    """The open correction notice of a case in correction: each material it names, with the
    file uploaded for it since the notice (None while none is)."""
    if case.status != Status.CORRECTION:
        return None
    request = case.corrections.filter(completed_at__isnull=True).order_by("-sequence").first()
    if request is None:
        return None
    latest: dict[str, int] = {}
    for name, file_id in (CaseFile.objects.filter(case=case, material__name__in=request.materials,
                                                  uploaded_at__gte=request.sent_at)
                          .order_by("uploaded_at", "id").values_list("material__name", "id")):
        latest[name] = file_id
    return {"sequence": request.sequence, "reason": request.reason,
            "materials": [{"name": n, "file": latest.get(n)} for n in request.materials]}


@require_POST
def submit_correction(request: HttpRequest, number: str) -> HttpResponse:
    """The applicant hands in the correction once every material the notice names has a file
    uploaded since the notice; the case then goes back to its officer (and its clock resumes, R7)."""
    case = _case_or_404(request.user, number)
    if not permissions.speaks_for_applicant(request.user, case):
        raise PermissionDenied("只有申请人可以提交补正材料")
    supply = correction_to_supply(case)
    if supply is None:
        return _track(request, case, status=409,
                      errors={"form": f"办件 {case.number} 当前状态为“{case.get_status_display()}”，不需要补正"})
    waiting = [m["name"] for m in supply["materials"] if m["file"] is None]
    if waiting:
        return _track(request, case, status=422, errors={
            "correction": "请先上传补正通知所列的材料：" + "、".join(f"《{n}》" for n in waiting)})
    claims = [{"name": m["name"], "provision": "uploaded", "reference": f"file:{m['file']}"}
              for m in supply["materials"]]
    try:
        actions.submit_correction(request.user, case, materials=claims,
                                  lock_version=_int(request.POST.get("lock_version")))
    except FieldError as exc:
        return _track(request, _case_or_404(request.user, number), errors={"correction": "；".join(
            m for _, m in exc.errors)}, status=422)
    except Conflict as exc:
        return _track(request, _case_or_404(request.user, number), errors={"form": exc.message}, status=409)
    messages.success(request, f"办件 {number} 的补正材料已提交，等待部门审核。")
    return redirect("cases:track", number=number)


@require_GET
def track(request: HttpRequest, number: str) -> HttpResponse:
    return _track(request, _case_or_404(request.user, number))


def field_errors(exc: FieldError) -> dict[str, str]:
    """FieldError → {form field: message}; `materials.0` is shown at `materials`."""
    out: dict[str, str] = {}
    for field, message in exc.errors:
        key = (field or "form").split(".", 1)[0]
        out[key] = f"{out[key]}；{message}" if key in out else message
    return out


@require_POST
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    case = _case_or_404(request.user, number)
    if not permissions.speaks_for_applicant(request.user, case):
        raise PermissionDenied("只有申请人可以撤回申请")
    try:
        actions.withdraw(request.user, case, reason=request.POST.get("reason", ""),
                         lock_version=_int(request.POST.get("lock_version")))
    except FieldError as exc:
        return _track(request, _case_or_404(request.user, number), errors=field_errors(exc), status=422,
                      values=request.POST)
    except Conflict as exc:
        return _track(request, _case_or_404(request.user, number), errors={"form": exc.message}, status=409)
    messages.success(request, f"办件 {number} 已撤回。")
    return redirect("cases:track", number=number)


@require_POST
def upload(request: HttpRequest, number: str, position: int) -> HttpResponse:
    """The applicant uploads one material's file from the tracking page (PDF, JPG, PNG or OFD,
    typed by content); a refused file is named inline and nothing of it is kept."""
    case = _case_or_404(request.user, number)
    if not permissions.speaks_for_applicant(request.user, case):
        raise PermissionDenied("只有申请人可以上传材料")
    try:
        row = file_actions.attach_file(request.user, case, position, request.FILES.get("file"))
    except FieldError as exc:
        message = "；".join(m for _, m in exc.errors)
        return _track(request, _case_or_404(request.user, number), status=422,
                      upload_errors={"position": position, "message": message})
    except Conflict as exc:
        return _track(request, _case_or_404(request.user, number), errors={"form": exc.message}, status=409)
    messages.success(request, f"已上传《{row.material.name}》，等待审核。")
    return redirect("cases:track", number=number)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


# --- the receipt and the notices ----------------------------------------------------------------------

def qr_svg(url: str) -> str:
    """An inline SVG QR code (no image request, allowed by the CSP)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


@require_GET
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    case = _case_or_404(request.user, number)
    detail = selectors.case_detail(request.user, case)
    url = notices.tracking_url(case)
    return render(request, "cases/receipt.html", {
        "case": case, "detail": detail, "clock": _clock_context(detail), "tracking_url": url,
        "qr": mark_safe(qr_svg(url)),  # noqa: S308 - generated by qrcode from our own URL
        "children": detail["children"], "materials": detail["materials"],
        "own": permissions.speaks_for_applicant(request.user, case)})


def notice_response(user: Any, number: str, kind: str) -> HttpResponse:
    """The PDF of one notice, for whoever may see the case (API and page); NotFound otherwise."""
    case = selectors.get_case(user, number)
    if kind not in notices.KINDS or kind not in pages.notice_kinds(case):
        raise NotFound(f"办件 {number} 没有该文书")
    if not permissions.speaks_for_applicant(user, case):
        audit.record_read("case", subject_id=case.applicant_id, obj=case,
                          reason=f"下载办件 {case.number} 的{NoticeKind(kind).label}")
    data = notices.render_notice(notices.load(case), kind)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, notices.filename_of(case, kind))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def notice_pdf(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    try:
        return notice_response(request.user, number, kind)
    except NotFound as exc:
        raise Http404(exc.message) from None

