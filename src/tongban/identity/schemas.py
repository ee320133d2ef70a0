from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class RegisterIn(Schema):
    name: str = Field(max_length=50)
    id_number: str = Field(max_length=40)
    phone: str = Field(max_length=20)
    password: str = Field(max_length=128)


class EnterpriseIn(Schema):
    uscc: str = Field(max_length=40)
    name: str = Field(max_length=200)
    legal_representative: str = Field(max_length=50)


class TokenIn(Schema):
    name: str = Field("", max_length=80)
    days: int | None = None


class SmsSendIn(Schema):
    phone: str = Field(max_length=20)


class SmsLoginIn(Schema):
    phone: str = Field(max_length=20)
    code: str = Field(max_length=10)


class RoleOut(Schema):
    role: str
    role_name: str
    department: str | None
    department_name: str | None
    region: str
    region_name: str


class MembershipOut(Schema):
    id: int
    uscc: str
    enterprise: str
    role: str
    status: str
    status_name: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    kind: str
    real_name_level: int
    id_number: str
    phone: str
    roles: list[RoleOut]
    department: str | None
    region: str | None
    enterprises: list[MembershipOut]
    acting_for: str | None


class AccountOut(Schema):
    id: int
    username: str
    name: str
    real_name_level: int
    id_number: str
    phone: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class NewTokenOut(TokenOut):
    token: str


class DepartmentOut(Schema):
    id: str
    name: str
    abbr: str
    uscc: str
    region: str
    region_name: str
    parent: str | None


class StaffOut(Schema):
    username: str
    name: str
    role: str
    department: str | None
    region: str
