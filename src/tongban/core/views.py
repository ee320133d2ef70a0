"""The server-error page. A dropped database connection or a statement cancelled by
`statement_timeout` is not a bug but a busy or failing database: 503 with Retry-After and a
page saying nothing was saved, wherever in the request it happened (middleware included),
never a hang. Anything else is the plain 500 page. (The API maps the same errors in
tongban/api.py.)"""

from __future__ import annotations

import sys

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

RETRY_AFTER_SECONDS = 5


def server_error(request: HttpRequest) -> HttpResponse:
    if isinstance(sys.exc_info()[1], OperationalError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(render_to_string("500.html"), status=500)
