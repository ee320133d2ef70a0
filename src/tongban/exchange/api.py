"""The exchange API (mounted at /api/ by tongban.api)."""

from ninja import Router

router = Router(tags=["数据共享"])
