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

__all__ = [
    "Case", "CaseClockEvent", "CaseMaterial", "CaseNotice", "CaseNumberCounter", "CasePromise", "CaseStep",
    "CorrectionRequest",
]
