from .health import HealthFinding, HealthRun
from .messages import SiteMessage
from .normative import RegistrationCounter, RegistrationPattern
from .opendata import Dataset, DatasetVersion
from .page_views import ColumnDailyViews
from .pages import (
    ColumnPage,
    ConsultationComment,
    ConsultationPage,
    DisclosureSiteRoot,
    InterpretationPage,
    PolicyDocumentPage,
)
from .requests import DisclosureRequest, RequestEvent, RequestNumberCounter

__all__ = [
    "ColumnDailyViews",
    "ColumnPage",
    "ConsultationComment",
    "ConsultationPage",
    "Dataset",
    "DatasetVersion",
    "DisclosureRequest",
    "DisclosureSiteRoot",
    "HealthFinding",
    "HealthRun",
    "InterpretationPage",
    "PolicyDocumentPage",
    "RegistrationCounter",
    "RegistrationPattern",
    "RequestEvent",
    "RequestNumberCounter",
    "SiteMessage",
]
