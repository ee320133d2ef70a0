from .pages import (
    ColumnPage,
    ConsultationComment,
    ConsultationPage,
    DisclosureSiteRoot,
    PolicyDocumentPage,
)
from .requests import DisclosureRequest, RequestEvent, RequestNumberCounter

__all__ = [
    "ColumnPage",
    "ConsultationComment",
    "ConsultationPage",
    "DisclosureRequest",
    "DisclosureSiteRoot",
    "PolicyDocumentPage",
    "RequestEvent",
    "RequestNumberCounter",
]
