"""Pages of licences, included at the site root by tongban.urls (full paths here)."""

from django.urls import path

from . import views

app_name = "licences"

urlpatterns = [
    path("verify/<str:code>", views.verify_page, name="verify"),
    path("licences/", views.my_licences, name="mine"),
    path("licences/keys/", views.key_register_page, name="keys"),
    path("licences/data-uses/", views.my_data_uses, name="data-uses"),
]
