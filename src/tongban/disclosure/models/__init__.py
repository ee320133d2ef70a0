from .normative import RegistrationCounter, RegistrationPattern
from .opendata import Dataset, DatasetVersion
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
    "ColumnPage",
    "ConsultationComment",
    "ConsultationPage",
    "Dataset",
    "DatasetVersion",
    "DisclosureRequest",
    "DisclosureSiteRoot",
    "InterpretationPage",
    "PolicyDocumentPage",
    "RegistrationCounter",
    "RegistrationPattern",
    "RequestEvent",
    "RequestNumberCounter",
]
