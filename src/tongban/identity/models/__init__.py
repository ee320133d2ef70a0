from .accounts import ApiToken, SmsCode, SmsMessage, User
from .enterprises import Enterprise, EnterpriseMembership
from .messages import InboxMessage
from .organisation import Department, Region, StaffRole

__all__ = [
    "ApiToken", "Department", "Enterprise", "EnterpriseMembership", "InboxMessage", "Region", "SmsCode",
    "SmsMessage", "StaffRole", "User",
]
