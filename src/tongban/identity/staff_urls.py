from django.urls import path

from .views import staff

app_name = "staff"

urlpatterns = [
    path("", staff.workspace, name="workspace"),
]
