"""Every rule about personal data in text: identity numbers and phone numbers.

Spec (published-material.md): every identity number is masked to its first 6 and last 4
characters before anything is stored, indexed or logged; a number that arrives masked in
another style is normalised to this one. Phone numbers are masked to the first 3 and last 4
digits wherever a resident's words or an answer could show them, except the bureau's own
published service numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MASK = "*"

# An 18-character identity number: 6-digit region, 8 birth-date digits, 3 sequence digits and a
# check character. Any of the middle 8 (or the sequence digits) may arrive already hidden.
# Lookarounds keep us from cutting a longer digit run (a bank account) in the middle.
_ID18 = re.compile(r"(?<![0-9A-Za-z*])([1-9]\d{5})([0-9*]{8})([0-9*]{3}[0-9Xx])(?![0-9A-Za-z*])")
# Legacy 15-digit numbers: 6-digit region, YYMMDD, 3 sequence digits (no check character).
_ID15 = re.compile(r"(?<![0-9A-Za-z*])([1-9]\d{5})([0-9*]{5})(\d{4})(?![0-9A-Za-z*])")
# Mobile numbers (11 digits starting 1[3-9]) and landlines with an area code (0349-1234567).
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<![\d-])(0\d{2,3})[-－ ]?(\d{3,4})(\d{4})(?!\d)")
# How residents type an identity number: straight after letters ("sfz" for 身份证),
# in full-width digits, or in groups split by spaces or hyphens.
# (\uff10-\uff19 are the full-width digits, \uff38 and \uff58 the full-width X and x.)
_LOOSE_ID = re.compile(
    r"(?<![0-9\uff10-\uff19])(?:[0-9\uff10-\uff19][ \-－]?){14,17}"
    r"[0-9\uff10-\uff19Xx\uff38\uff58](?![0-9\uff10-\uff19Xx\uff38\uff58])"
)
_TO_ASCII = str.maketrans(
    "".join(chr(0xFF10 + d) for d in range(10)) + "\uff38\uff58", "0123456789Xx"
)


@dataclass(frozen=True)
class MaskedText:
    """Text after masking, with how many identity numbers were masked in it."""

    text: str
    identity_numbers: int


def _plausible_birth_date(digits: str) -> bool:
    """True for YYYYMMDD or YYMMDD digits that could be a birth date; '*' counts as unknown."""
    if MASK in digits:
        return True
    if len(digits) == 8:
        year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
        if not 1900 <= year <= 2099:
            return False
    else:
        month, day = int(digits[2:4]), int(digits[4:])
    return 1 <= month <= 12 and 1 <= day <= 31


def mask_identity_number(first6: str, last4: str, length: int) -> str:
    """'140624', '0012', 18 → '140624********0012'."""
    return first6 + MASK * (length - 10) + last4.upper()


def _mask_id18(match: re.Match[str]) -> str:
    first6, middle, tail = match.group(1), match.group(2), match.group(3)
    if MASK not in middle + tail and not _plausible_birth_date(middle):
        return match.group(0)
    if MASK in tail[-1]:
        return match.group(0)
    return mask_identity_number(first6, (middle + tail)[-4:], 18)


def _mask_id15(match: re.Match[str]) -> str:
    first6, middle, tail = match.group(1), match.group(2), match.group(3)
    birth = middle + tail[:1]
    if MASK not in birth and not _plausible_birth_date(birth):
        return match.group(0)
    return mask_identity_number(first6, tail, 15)


def mask_identity_numbers(text: str) -> MaskedText:
    """Mask every identity number in text, normalising other masking styles.

    >>> mask_identity_numbers("身份证 140624199003070012").text
    '身份证 140624********0012'
    >>> mask_identity_numbers("1406241990****0012").text
    '140624********0012'
    """
    count = 0

    def counted(mask: Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            nonlocal count
            masked = mask(match)
            if masked != match.group(0) or MASK in masked:
                count += 1
            return masked

        return replace

    text = _ID18.sub(counted(_mask_id18), text)
    text = _ID15.sub(counted(_mask_id15), text)
    return MaskedText(text, count)


def contains_identity_number(text: str) -> bool:
    """True when text holds an identity number that is not masked in the canonical style."""
    return mask_identity_numbers(text).text != text


def contains_full_identity_number(text: str) -> bool:
    """True when text holds an unmasked 18- or 15-character identity number."""
    for match in _ID18.finditer(text):
        if MASK not in match.group(0) and _mask_id18(match) != match.group(0):
            return True
    for match in _ID15.finditer(text):
        if MASK not in match.group(0) and _mask_id15(match) != match.group(0):
            return True
    return False


def mask_phone_numbers(text: str, keep: frozenset[str] = frozenset()) -> str:
    """Mask mobile and landline numbers to their first 3 and last 4 digits.

    Numbers in ``keep`` (the bureau's own published service numbers, digits only) stay.
    >>> mask_phone_numbers("打我电话13812345678")
    '打我电话138****5678'
    """

    def mobile(match: re.Match[str]) -> str:
        digits = "".join(match.groups())
        if digits in keep:
            return match.group(0)
        return f"{digits[:3]}****{digits[-4:]}"

    def landline(match: re.Match[str]) -> str:
        digits = "".join(match.groups())
        if digits in keep:
            return match.group(0)
        return f"{digits[:3]}****{digits[-4:]}"

    text = _MOBILE.sub(mobile, text)
    return _LANDLINE.sub(landline, text)


def phone_digits(text: str) -> set[str]:
    """The phone numbers in text as digit strings (for the bureau's keep-list)."""
    found = {"".join(m.groups()) for m in _MOBILE.finditer(text)}
    found |= {"".join(m.groups()) for m in _LANDLINE.finditer(text)}
    return found


def _collapsed_digits(typed: str) -> str:
    return re.sub(r"[ \-－]", "", typed).translate(_TO_ASCII)


def _mask_loose_identity_numbers(text: str) -> str:
    """Identity numbers typed loosely, masked in the canonical style (digits made ASCII)."""

    def replace(match: re.Match[str]) -> str:
        digits = _collapsed_digits(match.group(0))
        if len(digits) not in (15, 18):
            return match.group(0)
        masked = mask_identity_numbers(digits).text
        return masked if masked != digits else match.group(0)

    return _LOOSE_ID.sub(replace, text)


def mask_resident_text(text: str) -> str:
    """What may be stored of a resident's own words: identity and phone numbers masked."""
    text = _mask_loose_identity_numbers(text)
    return mask_phone_numbers(mask_identity_numbers(text).text)


def contains_personal_number(text: str) -> bool:
    """True when text still holds an unmasked identity number or phone number."""
    if contains_full_identity_number(text) or mask_phone_numbers(text) != text:
        return True
    return any(
        contains_full_identity_number(_collapsed_digits(m.group(0)))
        for m in _LOOSE_ID.finditer(text)
    )
