"""Identifiers: ID numbers (RULES R1, GB 11643-1999), unified social credit codes (R2,
GB 32100-2015) and mobile numbers. Every refusal names the part that is wrong."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.core.identifiers import (
    USCC_ALPHABET,
    IdentifierError,
    id_check_character,
    uscc_check_character,
    validate_id_number,
    validate_phone,
    validate_uscc,
)

SAMPLES = Path(__file__).resolve().parents[4].parent / "shared" / "acceptance" / "samples" / "identifiers.json"
TODAY = dt.date(2026, 3, 2)
# Dalian and its districts (R3), and a few other provinces' codes
REGIONS = ["210200", "210202", "210203", "210204", "210211", "210212", "210213", "210214", "210224", "210281",
           "210283", "110101", "310115", "440305", "650102"]


def with_check(first17: str) -> str:
    return first17 + id_check_character(first17)


def uscc_with_check(first17: str) -> str:
    return first17 + uscc_check_character(first17)


def part_of(error: pytest.ExceptionInfo[IdentifierError]) -> str:
    return error.value.part


# --- R1 ID numbers --------------------------------------------------------------------------------

@pytest.mark.parametrize("number", ["210213197506180031", "210204198809091173", "210281199902282588"])
def test_R1_valid_id_numbers(number):
    assert validate_id_number(number, today=TODAY) == number


def test_R1_check_character_follows_the_standard_weights():
    # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, sum mod 11 indexes 1 0 X 9 8 7 6 5 4 3 2
    first17 = "21021319750618003"
    total = sum(int(c) * w for c, w in zip(first17, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2),
                                           strict=True))
    assert id_check_character(first17) == "10X98765432"[total % 11] == "1"


def test_R1_lower_case_x_is_accepted_and_returned_upper_case():
    assert validate_id_number("21020219850312104x", today=TODAY) == "21020219850312104X"
    assert validate_id_number("  21020219850312104X ", today=TODAY) == "21020219850312104X"


@pytest.mark.parametrize(("number", "part"), [
    # samples/identifiers.json
    ("210213197506180032", "check"),
    ("210213197502300032", "birth_date"),
    ("2102041988090911731", "length"),
    # the length
    ("", "length"),
    ("21021319750618003", "length"),
    # the characters
    ("21021319750618003A", "characters"),
    ("2102131975061800X1", "characters"),
    ("２１０２１３１９７５０６１８００３１", "characters"),  # full-width digits
    ("21021319750618００31", "characters"),
    ("2102131975061800²1", "characters"),
    # the region code, with a correct check character so that only the region is wrong
    (with_check("00021319750618003"), "region"),
    (with_check("99021319750618003"), "region"),
    (with_check("21000019750618003"), "region"),  # a province alone is no address code
    # the birth date, likewise
    (with_check("21021319750230003"), "birth_date"),  # Feb 30
    (with_check("21021320250229003"), "birth_date"),  # 2025 is no leap year
    (with_check("21021319751301003"), "birth_date"),
    (with_check("21021319750600003"), "birth_date"),
    (with_check("21021318500101003"), "birth_date"),
    (with_check("21021320260303003"), "birth_date"),  # tomorrow
    (with_check("21021320990101003"), "birth_date"),
])
def test_R1_invalid_id_numbers_name_the_wrong_part(number, part):
    with pytest.raises(IdentifierError) as raised:
        validate_id_number(number, today=TODAY)
    assert part_of(raised) == part
    assert raised.value.message  # a Chinese sentence for the applicant


def test_R1_messages_say_what_is_wrong():
    with pytest.raises(IdentifierError, match="出生日期19750230"):
        validate_id_number("210213197502300032", today=TODAY)
    with pytest.raises(IdentifierError, match="19位"):
        validate_id_number("2102041988090911731", today=TODAY)
    with pytest.raises(IdentifierError, match="校验码"):
        validate_id_number("210213197506180032", today=TODAY)


def test_R1_born_today_is_valid_but_not_tomorrow():
    assert validate_id_number(with_check("21021320260302003"), today=TODAY)
    with pytest.raises(IdentifierError, match="出生日期"):
        validate_id_number(with_check("21021320260303003"), today=TODAY)


def test_R1_future_birth_date_is_checked_against_the_real_today():
    with pytest.raises(IdentifierError) as raised:
        validate_id_number(with_check("21021321000101003"))
    assert part_of(raised) == "birth_date"


@pytest.mark.parametrize("region", ["810000", "820000", "830000"])
def test_R1_residence_permits_of_hong_kong_macao_taiwan_residents_are_accepted(region):
    number = with_check(f"{region}19900101123")
    assert validate_id_number(number, today=TODAY) == number


@pytest.mark.skipif(not SAMPLES.exists(), reason="the shared acceptance samples are not next to this checkout")
def test_R1_R2_shared_acceptance_samples_hold():
    samples = json.loads(SAMPLES.read_text())
    for number in samples["id_valid"]:
        assert validate_id_number(number) == number
    for part, number in samples["id_invalid"].items():
        with pytest.raises(IdentifierError) as raised:
            validate_id_number(number)
        assert part_of(raised) == part
    for code in samples["uscc_valid"]:
        assert validate_uscc(code) == code
    for name, code in samples["uscc_invalid"].items():
        with pytest.raises(IdentifierError) as raised:
            validate_uscc(code)
        assert part_of(raised) == name.split("_")[0].replace("char", "characters")


id_bodies = st.builds(
    lambda region, born, seq: f"{region}{born:%Y%m%d}{seq:03d}",
    st.sampled_from(REGIONS), st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY), st.integers(0, 999))


@settings(max_examples=200, deadline=None)
@given(first17=id_bodies)
def test_R1_any_valid_body_with_its_check_character_validates(first17):
    number = with_check(first17)
    assert validate_id_number(number, today=TODAY) == number
    assert validate_id_number(number.lower(), today=TODAY) == number


@settings(max_examples=200, deadline=None)
@given(first17=id_bodies, position=st.integers(0, 17), data=st.data())
def test_R1_changing_any_one_character_is_detected(first17, position, data):
    number = with_check(first17)
    allowed = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in allowed if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1:]
    with pytest.raises(IdentifierError) as raised:
        validate_id_number(changed, today=TODAY)
    if position >= 14:  # the sequence number or the check character: only the check can tell
        assert part_of(raised) == "check"
    else:
        assert part_of(raised) in {"region", "birth_date", "check"}


# --- R2 unified social credit codes ---------------------------------------------------------------

def test_R2_valid_code_is_returned_upper_case():
    assert validate_uscc("91210204MA1B2C3D8C") == "91210204MA1B2C3D8C"
    assert validate_uscc(" 91210204ma1b2c3d8c ") == "91210204MA1B2C3D8C"


def test_R2_check_character_follows_the_standard_weights():
    first17 = "91210204MA1B2C3D8"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, weights, strict=True))
    assert USCC_ALPHABET[(31 - total % 31) % 31] == uscc_check_character(first17) == "C"


def test_R2_alphabet_has_no_I_O_S_V_Z():
    assert len(USCC_ALPHABET) == 31
    assert not set("IOSVZ") & set(USCC_ALPHABET)


def test_R2_national_registration_authorities_use_the_code_100000():
    code = uscc_with_check("53100000500021676")  # e.g. a foundation registered with the Ministry
    assert validate_uscc(code) == code


@pytest.mark.parametrize(("code", "part"), [
    ("91210204MA1B2C3D8E", "check"),
    ("91210204MO1B2C3D8C", "characters"),
    *[(f"91210204MA1B2C3D{c}C", "characters") for c in "IOSVZ"],
    ("91210204MA1B2C3D8", "length"),
    ("91210204MA1B2C3D8CC", "length"),
    ("91210204MA1B2C3D8-", "characters"),
    ("9121０204MA1B2C3D8C", "characters"),
    (uscc_with_check("91990000MA1B2C3D8"), "region"),
    (uscc_with_check("912102A4MA1B2C3D8"), "region"),
])
def test_R2_invalid_codes_name_the_wrong_part(code, part):
    with pytest.raises(IdentifierError) as raised:
        validate_uscc(code)
    assert part_of(raised) == part


def test_R2_refused_characters_are_named():
    with pytest.raises(IdentifierError, match="O"):
        validate_uscc("91210204MO1B2C3D8C")


uscc_bodies = st.builds(
    lambda head, region, body: f"{head}{region}{body}",
    st.sampled_from(["11", "12", "51", "52", "53", "91", "92", "93", "Y1"]),
    st.sampled_from([*REGIONS, "100000"]),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))


@settings(max_examples=200, deadline=None)
@given(first17=uscc_bodies)
def test_R2_any_body_with_its_check_character_validates(first17):
    code = uscc_with_check(first17)
    assert validate_uscc(code) == code
    assert validate_uscc(code.lower()) == code


@settings(max_examples=200, deadline=None)
@given(first17=uscc_bodies, position=st.integers(0, 17), data=st.data())
def test_R2_changing_any_one_character_is_detected(first17, position, data):
    code = uscc_with_check(first17)
    replacement = data.draw(st.sampled_from([c for c in USCC_ALPHABET if c != code[position]]))
    changed = code[:position] + replacement + code[position + 1:]
    with pytest.raises(IdentifierError) as raised:
        validate_uscc(changed)
    if 2 <= position < 8:  # the region code may be what is now wrong
        assert part_of(raised) in {"region", "check"}
    else:
        assert part_of(raised) == "check"


# --- mobile numbers -------------------------------------------------------------------------------

@pytest.mark.parametrize(("given_", "stored"), [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("19912345678", "19912345678"),
])
def test_phone_numbers_are_normalised(given_, stored):
    assert validate_phone(given_) == stored


@pytest.mark.parametrize("value", ["", "1381234567", "138123456789", "12812345678", "23812345678", "1381234567a",
                                   "１３８１２３４５６７８", "138１2345678", "+8512812345678", "tel:13812345678"])
def test_invalid_phone_numbers_are_refused(value):
    with pytest.raises(IdentifierError) as raised:
        validate_phone(value)
    assert part_of(raised) == "format"
