"""Masking of personal data for everyone but its owner and the officers handling the
matter (RULES R4): `2102**********123X`, `138****5678`."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_email(value: str | None) -> str:
    if not value or "@" not in value:
        return mask_name(value)
    local, domain = value.split("@", 1)
    return (local[:1] + "***" if local else "***") + "@" + domain


def mask_name(value: str | None) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***."""
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)


def mask_uscc(value: str | None) -> str:
    """Enterprise codes are public; kept whole. Present so callers need not special-case."""
    return value or ""
