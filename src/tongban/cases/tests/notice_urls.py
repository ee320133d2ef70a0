"""A URLconf for the notice download tests: the site, plus `notice_api.router` on an API of
its own (the same auth and error mapping as the site's API), so the router is tested whether or
not it is already mounted in `tongban.api`."""

from django.urls import include, path
from ninja import NinjaAPI

from tongban.api import api as site_api
from tongban.cases.notice_api import router
from tongban.identity.authentication import api_auth
from tongban.urls import _public
from tongban.urls import urlpatterns as site_patterns

notice_api = NinjaAPI(title="notice test", version="test", urls_namespace="notice-api-test", auth=api_auth())
notice_api._exception_handlers.update(site_api._exception_handlers)
notice_api.add_router("/", router)

api_patterns, app_name, namespace = notice_api.urls
urlpatterns = [path("api/", include((_public(api_patterns), app_name), namespace=namespace)), *site_patterns]
