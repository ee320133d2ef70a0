"""Pages of exchange, included at the site root by tongban.urls (full paths here)."""

urlpatterns: list = []
