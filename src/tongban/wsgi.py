import logging
import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
application = get_wsgi_application()


def _warm_up_search() -> None:
    """Load jieba's dictionary, the pinyin and traditional-to-simplified tables now, beside the
    worker's first requests, instead of inside the first search (≈ 1 s on a quiet machine)."""
    try:
        from tongban.search import query, text

        text.warm_up()
        query.analyse("餐饮营业执照怎么办", query.starter_synonyms())
    except Exception:  # a cold first search is slower, never wrong
        logging.getLogger(__name__).exception("search warm-up failed")


if os.environ.get("TONGBAN_WARM_UP", "1") != "0":
    threading.Thread(target=_warm_up_search, name="search-warm-up", daemon=True).start()
