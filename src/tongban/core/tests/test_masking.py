"""Masking of personal data for everyone but its owner and the handling officers (RULES R4)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.core.masking import mask_email, mask_id_number, mask_name, mask_phone, mask_uscc


def test_R4_id_number_format():
    assert mask_id_number("21020219850312123X") == "2102**********123X"


def test_R4_phone_format():
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize("mask", [mask_id_number, mask_phone, mask_email, mask_name, mask_uscc])
@pytest.mark.parametrize("empty", [None, ""])
def test_R4_nothing_to_mask_gives_an_empty_string(mask, empty):
    assert mask(empty) == ""


@pytest.mark.parametrize(("value", "masked"), [
    ("1234", "****"), ("1234567", "*******"), ("12345678", "****5678"), ("E12345678", "*****5678"),
    ("210202850312123", "2102*******2123"),  # an old 15-digit number
])
def test_R4_other_lengths_of_id_values_show_only_the_last_four(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(("value", "masked"), [
    ("110", "***"), ("1234567", "*******"), ("83651234", "****1234"), ("0411-83651234", "041******1234"),
    ("+8613812345678", "+86*******5678"),
])
def test_R4_landline_and_other_phone_lengths(value, masked):
    assert mask_phone(value) == masked


@settings(max_examples=200, deadline=None)
@given(value=st.text(alphabet="0123456789-+X", max_size=24))
def test_R4_no_value_is_ever_shown_whole(value):
    for mask, most_shown in ((mask_id_number, 8), (mask_phone, 7)):
        masked = mask(value)
        assert len(masked) == len(value)
        shown = len(value) - masked.count("*")
        assert shown == 0 if len(value) < 8 else 4 <= shown <= most_shown


@settings(max_examples=200, deadline=None)
@given(number=st.text(alphabet="0123456789X", min_size=18, max_size=18))
def test_R4_masked_id_number_hides_birth_date_and_sequence(number):
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert masked[:4] == number[:4] and masked[-4:] == number[-4:]
    assert masked[4:14] == "*" * 10  # the district, the whole birth date and part of the sequence


@settings(max_examples=200, deadline=None)
@given(phone=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_R4_masked_phone_hides_the_middle_four_digits(phone):
    masked = mask_phone(phone)
    assert masked == phone[:3] + "****" + phone[-4:]
