"""The message centre page: the signed-in user's notices and reminders, newest first."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tongban.core.errors import NotFound

from .. import actions, selectors
from ..models import InboxMessage


def attachment_response(message: InboxMessage) -> FileResponse:
    if not message.attachment:
        raise NotFound("该消息没有附件")
    try:
        handle = default_storage.open(message.attachment, "rb")
    except OSError:
        raise NotFound("附件已不存在") from None
    name = message.attachment_name or message.attachment.rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    rows = selectors.messages_of(request.user)
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(request, "identity/messages.html", {
        "page": page, "unread": rows.filter(read_at__isnull=True).count()})


@require_POST
def read(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        message = actions.mark_read(request.user, selectors.get_message(request.user, message_id))
    except NotFound:
        raise Http404("未找到该消息") from None
    return redirect(message.link or "identity:messages")


@require_GET
def attachment(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        return attachment_response(selectors.get_message(request.user, message_id))
    except NotFound as exc:
        raise Http404(exc.message) from None
