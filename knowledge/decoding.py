"""Bytes of a published text file to str: UTF-8, UTF-8 with BOM or GB18030, newlines as LF.

Spec (published-material.md): text arrives as UTF-8, UTF-8 with BOM or GB18030/GBK (Windows
exports); all must import, and an undecodable file is reported by name.

>>> decode_text("发布日期\\r\\n".encode("gb18030"), "通知.txt")
DecodedText(text='发布日期\\n', encoding='gb18030')
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from knowledge.errors import UndecodableFile

Encoding = Literal["utf-8", "utf-8-sig", "gb18030"]

_UTF8_BOM = b"\xef\xbb\xbf"
_BOM = "\ufeff"

# Why a plausibility check for GB18030 only: a UTF-8 decode of junk fails almost always, but
# GB18030 accepts nearly any run of bytes >= 0x81 followed by a trail byte, so a binary file, a
# Latin-1 file or a UTF-16 file can "decode" into a string of characters nobody writes. Real
# notices are written almost entirely in GB2312 (the 6763 common hanzi) plus punctuation; junk
# lands mostly on GBK-only ideographs, private-use code points (GBK's user-defined areas) and
# control characters. We reject the text when most of its non-ASCII characters are such rare
# ones. Punctuation and symbols outside GB2312 (〇, ㎡, ·, —) are ordinary: notices use them.
_RARE_SHARE_LIMIT = 0.5
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_IDEOGRAPH_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3FFFF),
)


@dataclass(frozen=True)
class DecodedText:
    """A file's text with LF newlines and no BOM, and the encoding it was read in."""

    text: str
    encoding: Encoding


def decode_text(data: bytes, file_name: str) -> DecodedText:
    """Decode a published file, trying UTF-8 with BOM, UTF-8, then GB18030.

    Raises UndecodableFile naming the file when none fits.
    """
    # No text encoding we accept puts NUL bytes in text; UTF-16 and binary files do.
    if b"\x00" in data:
        raise UndecodableFile(file_name, "contains NUL bytes: not UTF-8 or GB18030 text")
    if data.startswith(_UTF8_BOM):
        try:
            return DecodedText(
                _normalise_newlines(data[len(_UTF8_BOM) :].decode("utf-8")), "utf-8-sig"
            )
        except UnicodeDecodeError as error:
            raise UndecodableFile(
                file_name, f"has a UTF-8 BOM but invalid UTF-8 ({error.reason})"
            ) from error
    try:
        return DecodedText(_normalise_newlines(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise UndecodableFile(file_name, "is neither UTF-8 nor GB18030 text") from error
    if not looks_like_text(text):
        raise UndecodableFile(file_name, "is neither UTF-8 nor GB18030 text (decodes to junk)")
    # GB18030 can carry a BOM of its own (0x84 0x31 0x95 0x33); it decodes to U+FEFF.
    return DecodedText(_normalise_newlines(text.removeprefix(_BOM)), "gb18030")


def looks_like_text(text: str) -> bool:
    """False when most non-ASCII characters are rare ideographs, private-use or control codes."""
    non_ascii = 0
    rare = 0
    for character in text:
        if character.isascii():
            if character < " " and character not in _ALLOWED_CONTROLS:
                rare += 1
                non_ascii += 1
            continue
        non_ascii += 1
        if _is_rare(character):
            rare += 1
    return non_ascii == 0 or rare / non_ascii <= _RARE_SHARE_LIMIT


def _is_rare(character: str) -> bool:
    category = unicodedata.category(character)
    if category in ("Co", "Cn", "Cs", "Cc"):
        return True
    if not _is_ideograph(character):
        return False
    try:
        character.encode("gb2312")
    except UnicodeEncodeError:
        return True
    return False


def _is_ideograph(character: str) -> bool:
    code = ord(character)
    return any(low <= code <= high for low, high in _IDEOGRAPH_RANGES)


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
