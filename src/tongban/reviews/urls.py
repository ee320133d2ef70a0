"""Pages of reviews and the public statistics, included at the site root by tongban.urls (full
paths here)."""

from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("reviews/new", views.new, name="new"),
    path("reviews/mine/", views.mine, name="mine"),
    path("reviews/<int:review_id>/append/", views.append, name="append"),
    path("reviews/t/<str:token>/", views.by_token, name="token"),
    path("reviews/re-rate/<str:token>/", views.re_rate_by_token, name="re-rate"),
    path("reviews/rectifications/", views.rectifications, name="rectifications"),
    path("reviews/rectifications/<int:review_id>/", views.rectification_page, name="rectification"),
    path("reviews/rectifications/<int:review_id>/<str:action>/", views.rectification_act,
         name="rectification-act"),
]
