"""Pages of oversight, included at the site root by tongban.urls (full paths here). The public
review statistics live under /reviews/stats/ (R28), where the portal links them."""

from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("reviews/stats/", views.public_stats, name="stats"),
    path("reviews/stats/export.xlsx", views.public_stats_xlsx, name="stats-xlsx"),
    path("oversight/stats/", views.drill, name="drill"),
    path("oversight/alerts/", views.alerts, name="alerts"),
    path("oversight/alerts/<int:alert_id>/<str:action>/", views.alert_action, name="alert-action"),
]
