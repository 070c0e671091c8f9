"""Tests for handlers.wechat.signature against the published WeChat vectors and wechatpy."""

from __future__ import annotations

import random

import pytest
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import WeChatSigner, check_signature

from handlers.wechat.signature import random_nonce, sign, signature_matches, timestamp_is_fresh

D_ENCRYPT = (
    "ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ=="
)
F_ENCRYPT = (
    "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
)
H_ECHOSTR = (
    "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
)
I_ECHOSTR = (
    "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
)

# (vector, token, parts after the token, expected signature). The 4-part signatures over the
# long Encrypt values of C, E, H and I are checked in test_crypto through verify_and_decrypt.
VECTORS = [
    ("A GET", "AAAAA", ("1714036504", "1514711492"), "f464b24fc39322e44b38aa78f5edd27bd1441696"),
    ("B plain", "AAAAA", ("1714037059", "486452656"), "899cf89e464efb63f54ddac96b0a0a235f53aa78"),
    ("C url", "AAAAA", ("1714112445", "415670741"), "6c5c811b55cc85e0e1b54100749188c20beb3f5d"),
    (
        "D reply",
        "AAAAA",
        ("1713424427", "415670741", D_ENCRYPT),
        "1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1",
    ),
    ("E url", "spamtest", ("1409735669", "1320562132"), "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a"),
    (
        "F msg",
        "pamtest",
        ("1409304348", "xxxxxx", F_ENCRYPT),
        "82c962d39941aa48552f90ef55aa323dc620cc10",
    ),
    ("G", "test", ("1410685589", "test"), "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"),
    (
        "H verify",
        "123456",
        ("1411443780", "437374425", H_ECHOSTR),
        "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96",
    ),
    (
        "I verify",
        "QDG6eK",
        ("1409659589", "263014780", I_ECHOSTR),
        "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    ),
]


@pytest.mark.parametrize(("vector", "token", "parts", "expected"), VECTORS)
def test_sign_reproduces_published_vector(
    vector: str, token: str, parts: tuple[str, ...], expected: str
) -> None:
    assert sign(token, *parts) == expected
    assert sign(*reversed((token, *parts))) == expected
    assert signature_matches(expected, token, *parts)


def _flip_last_hex_digit(signature: str) -> str:
    return signature[:-1] + ("0" if signature[-1] != "0" else "1")


@pytest.mark.parametrize(("vector", "token", "parts", "expected"), VECTORS)
def test_signature_with_changed_last_digit_fails(
    vector: str, token: str, parts: tuple[str, ...], expected: str
) -> None:
    assert not signature_matches(_flip_last_hex_digit(expected), token, *parts)


@pytest.mark.parametrize(
    ("expected", "token", "parts"),
    [
        # H: the published must-fail case, nonce one less than the signed one.
        (
            "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96",
            "123456",
            ("1411443780", "437374424", H_ECHOSTR),
        ),
        # A with the wrong token.
        ("f464b24fc39322e44b38aa78f5edd27bd1441696", "AAAAB", ("1714036504", "1514711492")),
        # Upper-case hex is not what WeChat sends.
        ("F464B24FC39322E44B38AA78F5EDD27BD1441696", "AAAAA", ("1714036504", "1514711492")),
        ("", "AAAAA", ("1714036504", "1514711492")),
        ("签名不对", "AAAAA", ("1714036504", "1514711492")),
        ("\udcff", "AAAAA", ("1714036504", "1514711492")),
    ],
)
def test_signature_matches_rejects(expected: str, token: str, parts: tuple[str, ...]) -> None:
    assert not signature_matches(expected, token, *parts)


def test_sign_agrees_with_wechatpy_for_random_parts() -> None:
    rng = random.Random(20240426)
    alphabet = "0123456789abcXYZ_-+/=公租房住建局经适房"
    for _ in range(300):
        parts = ["".join(rng.choices(alphabet, k=rng.randint(0, 12))) for _ in range(4)]
        signer = WeChatSigner()
        signer.add_data(*parts)
        assert sign(*parts) == signer.signature
        # wechatpy's check raises on a mismatch; it must accept ours.
        check_signature(parts[0], sign(*parts[:3]), parts[1], parts[2])
        with pytest.raises(InvalidSignatureException):
            check_signature(parts[0], _flip_last_hex_digit(sign(*parts[:3])), parts[1], parts[2])


@pytest.mark.parametrize(
    ("timestamp", "now", "window", "fresh"),
    [
        ("1714036504", 1714036504.0, 300, True),
        ("1714036504", 1714036804.0, 300, True),
        ("1714036504", 1714036804.5, 300, False),
        ("1714036804", 1714036504.0, 300, True),
        ("1714036805", 1714036504.0, 300, False),
        ("1409735669", 1714036504.0, 300, False),
        ("", 1714036504.0, 300, False),
        ("abc", 1714036504.0, 300, False),
        ("-1714036504", 1714036504.0, 300, False),
        ("1714036504.5", 1714036504.0, 300, False),
        (" 1714036504", 1714036504.0, 300, False),
        # Full-width digits: str.isdigit() accepts them, int() too, WeChat never sends them.
        ("\uff11\uff17\uff11\uff14\uff10\uff13\uff16\uff15\uff10\uff14", 1714036504.0, 300, False),
        ("9" * 400, 1714036504.0, 300, False),
    ],
)
def test_timestamp_is_fresh(timestamp: str, now: float, window: int, fresh: bool) -> None:
    assert timestamp_is_fresh(timestamp, now, window) is fresh


def test_random_nonce_is_ten_fresh_digits() -> None:
    nonces = {random_nonce() for _ in range(200)}
    assert len(nonces) > 190
    for nonce in nonces:
        assert len(nonce) == 10
        assert nonce.isascii() and nonce.isdigit()
