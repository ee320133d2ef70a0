from .rectifications import Rectification, RectificationStep, ReRatingToken
from .reviews import ReasonTag, Review, ReviewInvitation, WindowVisit

__all__ = ["ReRatingToken", "ReasonTag", "Rectification", "RectificationStep", "Review", "ReviewInvitation",
           "WindowVisit"]
