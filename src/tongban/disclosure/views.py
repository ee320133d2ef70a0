"""Pages of disclosure outside the Wagtail tree: the annual report."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from . import annual
from .constants import RequesterType


@login_not_required
def annual_report(request: HttpRequest) -> HttpResponse:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or this_year - 1)
    except ValueError:
        year = this_year - 1
    year = min(max(year, 2008), this_year)
    data = annual.report(year)
    table3 = data["三、收到和处理政府信息公开申请情况"]
    keys = [c.value for c in RequesterType] + ["total"]
    rows = [
        (name, [table3[name][k] for k in keys])
        for name in ("本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量")
    ]
    rows += [(outcome["label"], [outcome[k] for k in keys]) for outcome in table3["本年度办理结果"].values()]
    rows += [(name, [table3[name][k] for k in keys]) for name in ("总计", "结转下年度继续办理")]
    proactive = data["二、主动公开政府信息情况"]
    context = {
        "year": year,
        "overview": data["一、总体情况"]["text"],
        "proactive": proactive["规章和规范性文件"],
        "decisions": proactive["决定事项"],
        "columns": [c.label for c in RequesterType],
        "request_rows": rows,
        "review": data["四、政府信息公开行政复议、行政诉讼情况"],
        "problems": data["五、存在的主要问题及改进情况"]["text"],
        "others": data["六、其他需要报告的事项"]["text"],
    }
    if request.GET.get("format") == "pdf":
        from .letters import annual_report_pdf

        response = HttpResponse(annual_report_pdf(context), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="annual-report-{year}.pdf"'
        return response
    return render(request, "disclosure/annual_report.html", context)


# --- the requester's pages: file a request, track it, answer a correction, withdraw --------------


def _request_or_404(user, number: str):
    from django.http import Http404

    from tongban.core.errors import NotFound

    from . import selectors

    try:
        return selectors.get_request(user, number)
    except NotFound as exc:
        raise Http404(exc.message) from None


def my_requests(request: HttpRequest) -> HttpResponse:
    """GET: my requests and the form; POST: file a request (errors inline, the form keeps what was typed)."""
    from django.shortcuts import redirect

    from tongban.core.errors import FieldError

    from . import actions, selectors
    from .constants import Delivery

    errors, typed = {}, {}
    if request.method == "POST":
        typed = {k: request.POST.get(k, "") for k in ("content", "requester_type", "delivery", "purpose", "uscc")}
        try:
            req = actions.submit(
                request.user,
                content=typed["content"],
                requester_type=typed["requester_type"],
                delivery=typed["delivery"],
                purpose=typed["purpose"],
                uscc=typed["uscc"] or None,
            )
        except FieldError as e:
            errors = dict(e.errors)
        else:
            return redirect("disclosure-request", number=req.number)
    rows = selectors.requests_for(request.user).filter(requester=request.user)[:50]
    return render(
        request,
        "disclosure/my_requests.html",
        {
            "rows": rows,
            "errors": errors,
            "typed": typed,
            "types": RequesterType.choices,
            "deliveries": Delivery.choices,
        },
        status=422 if errors else 200,
    )


def track_request(request: HttpRequest, number: str) -> HttpResponse:
    """The requester follows the file; answers a correction notice; withdraws."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from tongban.core.errors import Conflict, FieldError

    from . import actions, selectors

    req = _request_or_404(request.user, number)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ("submit-correction", "withdraw"):
            messages.error(request, "未知操作")
        else:
            try:
                actions.perform(request.user, req.number, action, {"content": request.POST.get("content", "")})
                messages.success(request, "已提交")
            except (FieldError, Conflict) as e:
                messages.error(request, getattr(e, "message", None) or "；".join(m for _, m in e.errors))
            except PermissionDenied:
                messages.error(request, "无权办理此操作")
        return redirect("disclosure-request", number=req.number)
    detail = selectors.request_detail(request.user, req)
    return render(request, "disclosure/request.html", {"r": detail, "req": req})


def request_letter(request: HttpRequest, number: str) -> HttpResponse:
    from django.http import Http404

    req = _request_or_404(request.user, number)
    if not req.reply_pdf:
        raise Http404("尚未答复")
    response = HttpResponse(bytes(req.reply_pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="reply-{req.number}.pdf"'
    return response


@login_not_required
def open_data(request: HttpRequest) -> HttpResponse:
    """The open data catalogue: every dataset with its metadata and every version's downloads."""
    from . import selectors

    rows = [selectors.dataset_detail(d) for d in selectors.datasets().filter(latest__isnull=False)]
    return render(request, "disclosure/open_data.html", {"datasets": rows})
