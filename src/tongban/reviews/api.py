"""The reviews API (mounted at /api/ by tongban.api)."""

from ninja import Router

router = Router(tags=["好差评"])
