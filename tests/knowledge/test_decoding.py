"""Tests for knowledge/decoding.py: the three accepted encodings, BOMs, newlines, junk."""

from __future__ import annotations

import pytest

from knowledge.decoding import decode_text, looks_like_text
from knowledge.errors import UndecodableFile

NOTICE = "关于2026年第一批公共租赁住房摇号配租的公告\n发布日期：2026-07-03\n"


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (NOTICE.encode("utf-8"), NOTICE, "utf-8"),
        (b"\xef\xbb\xbf" + NOTICE.encode("utf-8"), NOTICE, "utf-8-sig"),
        (NOTICE.encode("gb18030"), NOTICE, "gb18030"),
        (NOTICE.encode("gbk"), NOTICE, "gb18030"),
        # A GB18030 file with its own BOM (0x84 0x31 0x95 0x33).
        (("\ufeff" + NOTICE).encode("gb18030"), NOTICE, "gb18030"),
        (NOTICE.replace("\n", "\r\n").encode("gb18030"), NOTICE, "gb18030"),
        (NOTICE.replace("\n", "\r").encode("utf-8"), NOTICE, "utf-8"),
        (b"", "", "utf-8"),
        (b"plain ascii\r\n", "plain ascii\n", "utf-8"),
    ],
)
def test_decodes_accepted_encodings(data: bytes, text: str, encoding: str) -> None:
    decoded = decode_text(data, "通知.txt")
    assert decoded.text == text
    assert decoded.encoding == encoding


def test_gb18030_text_with_a_few_rare_name_characters_is_accepted() -> None:
    # 喆 and 堃 are GBK-only ideographs; real notices carry a handful of them in names.
    text = "序号,姓名,审核结果\n1,王喆,通过\n2,李堃,通过\n3,张伟,不通过\n"
    assert decode_text(text.encode("gb18030"), "名单.csv").text == text


@pytest.mark.parametrize(
    "data",
    [
        # UTF-16 and binaries carry NUL bytes.
        "山阴县公告".encode("utf-16-le"),
        b"PK\x03\x04\x14\x00\x00\x00binary",
        # 0x80 and 0xFF start no character in either encoding.
        b"\x80\x80\xff\xff",
        # Valid GB18030, but only GBK-extension ideographs nobody writes: junk.
        b"\x81\x40\x81\x41\x81\x42\x81\x43\x81\x44\x81\x45",
        # Valid GB18030, but private-use code points (GBK user-defined area).
        b"\xaa\xa1\xaa\xa2\xaa\xa3\xaa\xa4",
        # A Windows-1252 export: every accented letter eats the next byte into a rare ideograph.
        "Sébastien Müller, Zürich".encode("cp1252"),
    ],
)
def test_undecodable_bytes_raise_naming_the_file(data: bytes) -> None:
    with pytest.raises(UndecodableFile) as raised:
        decode_text(data, "分配结果.csv")
    assert raised.value.file_name == "分配结果.csv"
    assert "分配结果.csv" in str(raised.value)


def test_a_utf8_bom_followed_by_invalid_utf8_is_undecodable() -> None:
    with pytest.raises(UndecodableFile):
        decode_text(b"\xef\xbb\xbf" + "公告".encode("gb18030"), "公告.txt")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("山阴县住房和城乡建设管理局　2026年11月5日", True),
        ("面积60.5㎡，二〇二六年", True),
        ("plain ascii", True),
        ("\ue000\ue001\ue002", False),
        ("丂丄丅丆", False),
        ("a\x01\x02\x03b", False),
    ],
)
def test_looks_like_text(text: str, expected: bool) -> None:
    assert looks_like_text(text) is expected
