from .accounts import ApiToken, SmsCode, SmsMessage, User
from .enterprises import Enterprise, EnterpriseMembership
from .organisation import Department, Region, StaffRole

__all__ = [
    "ApiToken", "Department", "Enterprise", "EnterpriseMembership", "Region", "SmsCode",
    "SmsMessage", "StaffRole", "User",
]
