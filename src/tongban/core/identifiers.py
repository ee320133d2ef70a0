"""Identifier rules: ID numbers (RULES R1, GB 11643-1999), unified social credit codes
(R2, GB 32100-2015), mainland mobile numbers. Each validator returns the normalised value or
raises `IdentifierError` whose message (in Chinese) says which part is wrong."""

from __future__ import annotations

import datetime as dt
import re

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Province-level prefixes of GB/T 2260 (the first two digits of any region code).
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "91",
})
# Residence permits of Hong Kong, Macao and Taiwan residents carry numbers in the GB 11643
# format whose address code is the whole region (GB/T 2260's 810000, 820000, 830000).
PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})
# USCCs given by central registration authorities carry the national code 100000 in place of
# a region (e.g. national social organisations registered with the Ministry of Civil Affairs).
USCC_NATIONAL_REGION = "100000"
CHINA = dt.timezone(dt.timedelta(hours=8))
# ASCII only: `\d` and str.isdigit() also accept full-width and other Unicode digits.
ID_RE = re.compile(r"[0-9]{17}[0-9X]")
PHONE_RE = re.compile(r"1[3-9][0-9]{9}")


class IdentifierError(ValueError):
    def __init__(self, message: str, part: str) -> None:
        super().__init__(message)
        self.message = message
        self.part = part


def id_check_character(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str, today: dt.date | None = None) -> str:
    """Return the ID number upper-cased, or raise naming the faulty part (R1)."""
    number = (value or "").strip().upper()
    if len(number) != 18:
        raise IdentifierError(f"公民身份号码应为18位，当前为{len(number)}位", "length")
    if not ID_RE.fullmatch(number):
        raise IdentifierError("公民身份号码前17位应为数字，第18位应为数字或X", "characters")
    if number[:6] not in PERMIT_REGIONS and (number[:2] not in PROVINCES or number[2:6] == "0000"):
        raise IdentifierError(f"公民身份号码的地址码{number[:6]}不是有效的行政区划代码", "region")
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentifierError(f"公民身份号码的出生日期{number[6:14]}不是真实存在的日期", "birth_date") from None
    today = today or dt.datetime.now(tz=CHINA).date()
    if born > today or born.year < 1880:
        raise IdentifierError(f"公民身份号码的出生日期{number[6:14]}不在合理范围内", "birth_date")
    expected = id_check_character(number[:17])
    if number[17] != expected:
        raise IdentifierError("公民身份号码校验码错误，请核对后重新输入", "check")
    return number


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Return the USCC upper-cased, or raise naming the faulty part (R2)."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise IdentifierError(f"统一社会信用代码应为18位，当前为{len(code)}位", "length")
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        raise IdentifierError(
            f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用I、O、S、V、Z）", "characters")
    region = code[2:8]
    if not region.isdigit() or (region[:2] not in PROVINCES and region != USCC_NATIONAL_REGION):
        raise IdentifierError(f"统一社会信用代码第3至8位的登记管理机关行政区划码{code[2:8]}无效", "region")
    if code[17] != uscc_check_character(code[:17]):
        raise IdentifierError("统一社会信用代码校验码错误，请核对后重新输入", "check")
    return code


def validate_phone(value: str) -> str:
    phone = re.sub(r"[\s-]", "", value or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not PHONE_RE.fullmatch(phone):
        raise IdentifierError("手机号码应为以1开头的11位数字", "format")
    return phone
