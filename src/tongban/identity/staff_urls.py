from django.urls import include, path

from .views import staff

app_name = "staff"

urlpatterns = [
    path("", staff.workspace, name="workspace"),
    path("catalog/", include("tongban.catalog.editor_urls")),
    path("cases/", include("tongban.cases.staff_urls")),
]
