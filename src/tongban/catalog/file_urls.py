"""Public downloads of the catalogue's sample and blank forms: /services/forms/<name>."""

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest
from django.urls import path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .sample_forms import CONTENT_TYPES, path_of

app_name = "catalog_files"


@require_GET
@login_not_required
@cache_control(public=True, max_age=86400)
def form_file(request: HttpRequest, name: str) -> FileResponse:
    """A committed form file by its plain name; anything else (other directories, `..`,
    encoded separators, unknown names) is a 404."""
    found = path_of(name)
    if found is None:
        raise Http404("未找到该表格文件")
    response = FileResponse(found.open("rb"), as_attachment=True, filename=found.name,
                            content_type=CONTENT_TYPES[found.suffix.lstrip(".")])
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("<str:name>", form_file, name="form"),
]
