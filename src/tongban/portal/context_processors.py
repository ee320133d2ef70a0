from django.conf import settings

from .views import ELDER_COOKIE


def site_identity(request):
    """The footer's site identity (RULES R22) and the elder-friendly mode flag."""
    return {
        "site_identity": settings.SITE_IDENTITY,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "elder_mode": request.COOKIES.get(ELDER_COOKIE) == "1",
    }
