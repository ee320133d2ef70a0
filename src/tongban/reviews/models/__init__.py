from .rectifications import Rectification, RectificationStep
from .reviews import ReasonTag, Review, ReviewInvitation, WindowVisit

__all__ = ["ReasonTag", "Rectification", "RectificationStep", "Review", "ReviewInvitation", "WindowVisit"]
