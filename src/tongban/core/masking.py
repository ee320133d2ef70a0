"""Masking of personal data for everyone but its owner and the officers handling the
matter (RULES R4): `2102**********123X`, `138****5678`."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """18 (or old 15) characters: the first four and the last four stay."""
    if not value:
        return ""
    if len(value) >= 15:
        return value[:4] + "*" * (len(value) - 8) + value[-4:]
    return _keep_last_four(value)


def mask_phone(value: str | None) -> str:
    """Mobile numbers keep their first three and last four digits; a shorter (local landline)
    number only its last four, and one under 8 characters nothing."""
    if not value:
        return ""
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return _keep_last_four(value)


def _keep_last_four(value: str) -> str:
    if len(value) < 8:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


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
