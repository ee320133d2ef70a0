from .cases import (
    Case,
    CaseClockEvent,
    CaseMaterial,
    CaseNotice,
    CaseNumberCounter,
    CasePromise,
    CaseStep,
    CorrectionRequest,
)
from .files import CaseFile

__all__ = [
    "Case", "CaseClockEvent", "CaseFile", "CaseMaterial", "CaseNotice", "CaseNumberCounter", "CasePromise", "CaseStep",
    "CorrectionRequest",
]
