"""The licences API (mounted at /api/ by tongban.api)."""

from ninja import Router

router = Router(tags=["电子证照"])
