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
from .drafts import CaseDraft
from .files import CaseFile
from .parallel import CaseParallelReview
from .reminders import CaseReminder

__all__ = [
    "Case", "CaseClockEvent", "CaseDraft", "CaseFile", "CaseMaterial", "CaseNotice", "CaseNumberCounter",
    "CaseParallelReview", "CasePromise", "CaseReminder", "CaseStep", "CorrectionRequest",
]
