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
from .reminders import CaseReminder

__all__ = [
    "Case", "CaseClockEvent", "CaseFile", "CaseMaterial", "CaseNotice", "CaseNumberCounter", "CasePromise",
    "CaseReminder", "CaseStep", "CorrectionRequest",
]
