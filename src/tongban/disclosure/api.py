"""The disclosure API (mounted at /api/ by tongban.api)."""

from ninja import Router

router = Router(tags=["政务公开"])
