"""Tests for knowledge/masking.py: identity numbers and phone numbers in text."""

from __future__ import annotations

import unicodedata

import pytest

from knowledge.masking import (
    contains_full_identity_number,
    contains_identity_number,
    contains_personal_number,
    mask_identity_number,
    mask_identity_numbers,
    mask_phone_numbers,
    mask_resident_text,
    phone_digits,
)


@pytest.mark.parametrize(
    ("text", "masked", "count"),
    [
        ("140624199003070012", "140624********0012", 1),
        ("身份证号140624199003070012，请核对", "身份证号140624********0012，请核对", 1),
        ("14062419900307001X", "140624********001X", 1),
        ("14062419900307001x", "140624********001X", 1),
        # Legacy 15-digit numbers: region, YYMMDD, three sequence digits.
        ("140624900307001", "140624*****7001", 1),
        (
            "王秀英 140621580312002；李静 140621198503070741",
            "王秀英 140621*****2002；李静 140621********0741",
            2,
        ),
    ],
)
def test_full_identity_numbers_keep_their_first_6_and_last_4(
    text: str, masked: str, count: int
) -> None:
    result = mask_identity_numbers(text)
    assert (result.text, result.identity_numbers) == (masked, count)
    assert contains_full_identity_number(text)
    assert not contains_full_identity_number(result.text)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("140624********0012", "140624********0012"),
        ("1406241990****0012", "140624********0012"),
        ("140624****0307**12", "140624**********12"),
        ("140624*****7001", "140624*****7001"),
        ("14062490****7001", "14062490****7001"),
    ],
)
def test_other_masking_styles_are_normalised(text: str, masked: str) -> None:
    assert mask_identity_numbers(text).text == masked
    assert not contains_full_identity_number(text)
    assert contains_identity_number(text) is (text != masked)


@pytest.mark.parametrize(
    "text",
    [
        # Bank card and account numbers are longer or shorter: never cut in the middle.
        "6222021234567890123",
        "62220212345678901",
        "6222021234567890",
        "14062419900307001200",
        # 18 digits that cannot be a birth date (month 13, year 1234) are not identity numbers.
        "140624199013070012",
        "140624123456789012",
        # The last four are hidden: nothing to keep, nothing to normalise.
        "14062419900307****",
        "0349-0000111",
        "2026年3月5日",
    ],
)
def test_numbers_that_are_not_identity_numbers_are_untouched(text: str) -> None:
    result = mask_identity_numbers(text)
    assert (result.text, result.identity_numbers) == (text, 0)


@pytest.mark.parametrize(
    "text",
    [
        "我的sfz140624199003070012",
        "身份证１４０６２４１９９００３０７００１２",
        "140624 19900307 0012",
    ],
)
def test_identity_numbers_residents_type_loosely_are_masked(text: str) -> None:
    masked = unicodedata.normalize("NFKC", mask_resident_text(text)).replace(" ", "")
    assert "19900307" not in masked


def test_mask_identity_number() -> None:
    assert mask_identity_number("140624", "0012", 18) == "140624********0012"
    assert mask_identity_number("140624", "001x", 18) == "140624********001X"
    assert mask_identity_number("140624", "7001", 15) == "140624*****7001"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("13812345678", "138****5678"),
        ("打我电话138-1234-5678", "打我电话138****5678"),
        ("138 1234 5678", "138****5678"),
        ("0349-1234567", "034****4567"),
        ("03491234567", "034****4567"),
        ("电话12345", "电话12345"),
        ("编号138123456789", "编号138123456789"),
    ],
)
def test_phone_numbers_keep_their_first_3_and_last_4(text: str, masked: str) -> None:
    assert mask_phone_numbers(text) == masked


def test_the_bureaus_published_numbers_are_kept() -> None:
    text = "咨询电话0349-0000111，或者打13812345678"
    keep = phone_digits("咨询电话：0349-0000111")
    assert keep == {"03490000111"}
    assert mask_phone_numbers(text, frozenset(keep)) == "咨询电话0349-0000111，或者打138****5678"


def test_resident_text_is_masked_for_both_kinds() -> None:
    text = "我叫李静，身份证140624199003070012，电话13812345678"
    masked = mask_resident_text(text)
    assert masked == "我叫李静，身份证140624********0012，电话138****5678"
    assert contains_personal_number(text)
    assert not contains_personal_number(masked)
