"""The hotline API (mounted at /api/ by tongban.api)."""

from ninja import Router

router = Router(tags=["12345热线"])
