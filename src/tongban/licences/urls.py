"""Pages of licences, included at the site root by tongban.urls (full paths here)."""

from django.urls import path

from . import views

app_name = "licences"

urlpatterns = [
    path("verify/<str:code>", views.verify_page, name="verify"),
    path("licences/", views.my_licences, name="mine"),
    path("licences/keys/", views.key_register_page, name="keys"),
    path("licences/data-uses/", views.my_data_uses, name="data-uses"),
    path("licences/data-uses/<int:use_id>/objection/", views.data_use_objection, name="data-use-objection"),
    path("licences/vault/", views.my_vault, name="vault"),
    path("licences/vault/<int:entry_id>/delete/", views.vault_delete, name="vault-delete"),
    path("licences/consents/<str:number>/", views.case_consents, name="consents"),
]
