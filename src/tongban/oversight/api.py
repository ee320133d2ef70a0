"""The oversight API (mounted at /api/ by tongban.api)."""

from ninja import Router

router = Router(tags=["效能监察"])
