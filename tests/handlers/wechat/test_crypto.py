"""Tests for handlers.wechat.crypto: published vectors A-I, wechatpy round trips, bad input."""

from __future__ import annotations

import base64
import random
from xml.sax.saxutils import escape

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from defusedxml.ElementTree import fromstring
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto

from handlers.wechat.crypto import (
    BadSignature,
    DecryptError,
    MessageCrypto,
    WeChatCryptoError,
    WrongReceiveId,
)
from handlers.wechat.messages import parse_envelope, parse_message, text_reply
from handlers.wechat.signature import sign

OFFICIAL_KEY = "A" * 43
OFFICIAL_APPID = "wxba5fad812f8e6fb9"
SAMPLE_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
H_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
H_CORPID = "wx49f0ab532d5d035a"
I_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
I_CORPID = "wx5823bf96d3bd56c7"

C_ENCRYPT = (
    "+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMk"
    "Uyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7Ggia"
    "viNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIj"
    "df8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04="
)
C_PLAINTEXT = (
    b'{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY",'
    b'"CreateTime":1714112445,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}'
)
D_ENCRYPT = (
    "ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ=="
)
E_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1Q"
    "LvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS"
    "7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6N"
    "PhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSV"
    "O/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrc"
    "pCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)
E_COMPAT_BODY = (
    "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
    "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>"
    "<CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728</MsgId>"
    f"<Encrypt><![CDATA[{E_ENCRYPT}]]></Encrypt></xml>"
).encode()
F_ENCRYPT = (
    "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
)
F_VIDEO_REPLY = (
    "<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName>"
    "<FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime>"
    "<MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA["
    "eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId>"
    "<Title><![CDATA[testCallBackReplyVideo]]></Title>"
    "<Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>"
)
F_VIDEO_ENCRYPT = (
    "jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWz"
    "QRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DY"
    "HBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHi"
    "DNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjgg"
    "X5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6"
    "lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDa"
    "hxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f"
    "8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0Xxjl"
    "Fiy+9DMlaFExWUZQDajPkdPrEeOwofJb"
)
H_ECHOSTR = (
    "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
)
H_ENCRYPT = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7m"
    "CPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW"
    "9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZB"
    "tDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHH"
    "qIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6"
    "En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
)
H_REPLY = (
    "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
    "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n"
    "<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n"
    "<CreateTime>1411525903</CreateTime>\n</xml>"
)
H_REPLY_ENCRYPT = (
    "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTz"
    "HrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfm"
    "stttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03o"
    "xI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNO"
    "uiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiK"
    "zHo3"
)
I_ECHOSTR = (
    "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
)
I_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0Q"
    "ADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8"
    "dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff"
    "0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrX"
    "JB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZp"
    "S+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2p"
    "DBS8R07+qN+E7Q=="
)


def _aes_key(encoding_aes_key: str) -> bytes:
    return base64.b64decode(encoding_aes_key + "=")


def _raw_cipher(encoding_aes_key: str) -> Cipher[modes.CBC]:
    key = _aes_key(encoding_aes_key)
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def _encrypt_raw(encoding_aes_key: str, padded_plaintext: bytes) -> str:
    """Encrypt already block-aligned bytes as they are, to forge malformed ciphertexts."""
    encryptor = _raw_cipher(encoding_aes_key).encryptor()
    return base64.b64encode(encryptor.update(padded_plaintext) + encryptor.finalize()).decode()


def _padding_byte(encoding_aes_key: str, encrypted: str) -> int:
    decryptor = _raw_cipher(encoding_aes_key).decryptor()
    return (decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize())[-1]


def _envelope_fields(xml: str) -> dict[str, str]:
    return {child.tag: child.text or "" for child in fromstring(xml, forbid_dtd=True)}


@pytest.mark.parametrize(
    "bad_key",
    ["A" * 42, "A" * 44, "A" * 42 + "+", "A" * 42 + "=", "公" * 43, "", " " + "A" * 42],
)
def test_rejects_encoding_aes_key_of_wrong_shape(bad_key: str) -> None:
    with pytest.raises(ValueError, match="43 characters"):
        MessageCrypto("AAAAA", bad_key, OFFICIAL_APPID)


def test_c_official_safe_mode_message_decrypts_and_reencrypts() -> None:
    crypto = MessageCrypto("AAAAA", OFFICIAL_KEY, OFFICIAL_APPID)
    plain = crypto.verify_and_decrypt(
        "046e02f8204d34f8ba5fa3b1db94908f3df2e9b3", "1714112445", "415670741", C_ENCRYPT
    )
    assert plain == C_PLAINTEXT
    assert len(plain) == 167
    assert crypto.encrypt(plain, random16=b"a8eedb185eb2fecf") == C_ENCRYPT


def test_d_official_encrypted_reply() -> None:
    crypto = MessageCrypto("AAAAA", OFFICIAL_KEY, OFFICIAL_APPID)
    reply = crypto.encrypted_reply(
        '{"demo_resp":"good luck"}', "1713424427", "415670741", random16=b"707722b803182950"
    )
    assert reply == (
        f"<xml><Encrypt><![CDATA[{D_ENCRYPT}]]></Encrypt>"
        "<MsgSignature><![CDATA[1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1]]></MsgSignature>"
        "<TimeStamp>1713424427</TimeStamp><Nonce><![CDATA[415670741]]></Nonce></xml>"
    )
    assert _envelope_fields(reply) == {
        "Encrypt": D_ENCRYPT,
        "MsgSignature": "1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1",
        "TimeStamp": "1713424427",
        "Nonce": "415670741",
    }
    # The official FullStr is 63 bytes, so it gets a single padding byte.
    assert _padding_byte(OFFICIAL_KEY, D_ENCRYPT) == 1


def test_e_tencent_compat_sample() -> None:
    crypto = MessageCrypto("spamtest", SAMPLE_KEY, "wx2c2769f8efd9abc2")
    envelope = parse_envelope(E_COMPAT_BODY)
    assert envelope.encrypt == E_ENCRYPT
    assert envelope.to_user == "gh_10f6c3c3ac5a"
    plain = crypto.verify_and_decrypt(
        "5d197aaffba7e9b25a30732f161a50dee96bd5fa", "1409735669", "1320562132", envelope.encrypt
    )
    assert len(plain) == 280
    message = parse_message(plain)
    assert message.content == "abcdteT"
    assert message.msg_id == "6054768590064713728"
    assert message.from_user == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
    assert envelope.plain is not None
    assert envelope.plain.dedup_key == message.dedup_key
    assert envelope.plain.content == message.content
    assert _padding_byte(SAMPLE_KEY, E_ENCRYPT) == 2
    assert crypto.encrypt(plain, random16=b"89465c840c5f116f") == E_ENCRYPT


@pytest.mark.parametrize(
    ("message", "expected"),
    [("我是中文abcd123", F_ENCRYPT), (F_VIDEO_REPLY, F_VIDEO_ENCRYPT)],
)
def test_f_tencent_java_sample_counts_utf8_bytes(message: str, expected: str) -> None:
    crypto = MessageCrypto("pamtest", SAMPLE_KEY, "wxb11529c136998cb6")
    assert crypto.encrypt(message.encode("utf-8"), random16=b"aaaabbbbccccdddd") == expected
    assert crypto.decrypt(expected).decode("utf-8") == message


def test_f_derived_msg_signature() -> None:
    crypto = MessageCrypto("pamtest", SAMPLE_KEY, "wxb11529c136998cb6")
    plain = crypto.verify_and_decrypt(
        "82c962d39941aa48552f90ef55aa323dc620cc10", "1409304348", "xxxxxx", F_ENCRYPT
    )
    assert plain.decode("utf-8") == "我是中文abcd123"


@pytest.mark.parametrize(
    ("token", "key", "corpid", "signature", "timestamp", "nonce", "echostr", "expected"),
    [
        (
            "123456",
            H_KEY,
            H_CORPID,
            "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96",
            "1411443780",
            "437374425",
            H_ECHOSTR,
            "5927782489442352469",
        ),
        (
            "QDG6eK",
            I_KEY,
            I_CORPID,
            "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
            "1409659589",
            "263014780",
            I_ECHOSTR,
            "1616140317555161061",
        ),
    ],
)
def test_h_i_wecom_url_verification(
    token: str,
    key: str,
    corpid: str,
    signature: str,
    timestamp: str,
    nonce: str,
    echostr: str,
    expected: str,
) -> None:
    crypto = MessageCrypto(token, key, corpid)
    assert crypto.decrypt_echostr(signature, timestamp, nonce, echostr) == expected


def test_h_wecom_verification_with_other_nonce_fails() -> None:
    crypto = MessageCrypto("123456", H_KEY, H_CORPID)
    with pytest.raises(BadSignature):
        crypto.decrypt_echostr(
            "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96", "1411443780", "437374424", H_ECHOSTR
        )


def test_h_wecom_message_decrypts() -> None:
    body = (
        f"<xml><ToUserName><![CDATA[{H_CORPID}]]></ToUserName>\n"
        f"<Encrypt><![CDATA[{H_ENCRYPT}]]></Encrypt>\n<AgentID><![CDATA[1]]></AgentID>\n</xml>"
    ).encode()
    envelope = parse_envelope(body)
    assert envelope.plain is None
    crypto = MessageCrypto("123456", H_KEY, H_CORPID)
    plain = crypto.verify_and_decrypt(
        "74d92dfeb87ba7c714f89d98870ae5eb62dff26d", "1411525903", "461056294", envelope.encrypt
    )
    message = parse_message(plain)
    assert (message.content, message.from_user) == ("test", "messense")


def test_h_wecom_reply_encrypts() -> None:
    crypto = MessageCrypto("123456", H_KEY, H_CORPID)
    reply = crypto.encrypted_reply(H_REPLY, "1411525903", "461056294", random16=b"1234567890123456")
    fields = _envelope_fields(reply)
    assert fields["Encrypt"] == H_REPLY_ENCRYPT
    assert fields["MsgSignature"] == "407518b7649e86ef23978113f92d27afa9296533"


def test_i_wecom_message_decrypts() -> None:
    crypto = MessageCrypto("QDG6eK", I_KEY, I_CORPID)
    plain = crypto.verify_and_decrypt(
        "477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", I_ENCRYPT
    )
    message = parse_message(plain)
    assert message.content == "hello"
    assert message.msg_id == "4561255354251345929"
    assert message.fields["AgentID"] == "218"


def _random_texts() -> list[str]:
    """Mixed Chinese/ASCII texts of every UTF-8 length 0..95, so every pad length 1..32 occurs."""
    rng = random.Random(7)
    chinese, ascii_chars = "公租房经济适用住房租赁补贴申请条件", "abcXYZ019 \n<>&]"
    texts = []
    for byte_length in [*range(96), *(rng.randint(96, 3000) for _ in range(40))]:
        cjk_count = rng.randint(0, byte_length // 3)
        chars = rng.choices(chinese, k=cjk_count)
        chars += rng.choices(ascii_chars, k=byte_length - 3 * cjk_count)
        rng.shuffle(chars)
        texts.append("".join(chars))
    return texts


def test_wechatpy_encrypts_we_decrypt_for_all_padding_lengths() -> None:
    ours = MessageCrypto("AAAAA", OFFICIAL_KEY, OFFICIAL_APPID)
    theirs = PrpCrypto(_aes_key(OFFICIAL_KEY))
    paddings_seen = set()
    for text in _random_texts():
        encrypted = theirs.encrypt(text, OFFICIAL_APPID).decode()
        paddings_seen.add(_padding_byte(OFFICIAL_KEY, encrypted))
        assert ours.decrypt(encrypted) == text.encode("utf-8")
    assert paddings_seen == set(range(1, 33))


def test_we_encrypt_wechatpy_decrypts_for_all_padding_lengths() -> None:
    ours = MessageCrypto("AAAAA", OFFICIAL_KEY, OFFICIAL_APPID)
    theirs = PrpCrypto(_aes_key(OFFICIAL_KEY))
    paddings_seen = set()
    for text in _random_texts():
        encrypted = ours.encrypt(text.encode("utf-8"))
        paddings_seen.add(_padding_byte(OFFICIAL_KEY, encrypted))
        assert theirs.decrypt(encrypted, OFFICIAL_APPID) == text
    assert paddings_seen == set(range(1, 33))


@pytest.mark.parametrize(
    "content",
    ["公租房怎么申请？", "租赁补贴\n每月多少钱", "a]]>b", "", "经济适用住房" * 300],
)
def test_full_message_round_trip_with_wechatpy(content: str) -> None:
    token, timestamp, nonce = "山阴住建", "1714112445", "415670741"
    theirs = WeChatCrypto(token, OFFICIAL_KEY, OFFICIAL_APPID)
    ours = MessageCrypto(token, OFFICIAL_KEY, OFFICIAL_APPID)
    inbound = (
        "<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>"
        "<FromUserName><![CDATA[o9AgO5Kd5ggOC-bXrbNODIiE3bGY]]></FromUserName>"
        "<CreateTime>1714112445</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{escape(content)}</Content><MsgId>24536947421512345</MsgId></xml>"
    )
    sent = theirs.encrypt_message(inbound, nonce, timestamp)
    fields = _envelope_fields(sent)
    envelope = parse_envelope(sent.encode())
    plain = ours.verify_and_decrypt(fields["MsgSignature"], timestamp, nonce, envelope.encrypt)
    assert parse_message(plain).content == content

    reply_xml = text_reply("o9AgO5Kd5ggOC-bXrbNODIiE3bGY", "gh_97417a04a28d", content, 1714112446)
    reply = ours.encrypted_reply(reply_xml, "1714112446", "1234567890")
    signature = _envelope_fields(reply)["MsgSignature"]
    assert theirs.decrypt_message(reply, signature, "1714112446", "1234567890") == reply_xml


def test_wecom_round_trip_with_wechatpy() -> None:
    theirs = WeComCrypto("123456", H_KEY, H_CORPID)
    ours = MessageCrypto("123456", H_KEY, H_CORPID)
    echostr = ours.encrypt(b"8723498712341234")
    signature = sign("123456", "1411443780", "437374425", echostr)
    assert theirs.check_signature(signature, "1411443780", "437374425", echostr) == (
        "8723498712341234"
    )
    sent = theirs.encrypt_message("<xml><Content>住房保障科</Content></xml>", "55", "1411443780")
    fields = _envelope_fields(sent)
    plain = ours.verify_and_decrypt(fields["MsgSignature"], "1411443780", "55", fields["Encrypt"])
    assert plain.decode() == "<xml><Content>住房保障科</Content></xml>"


def test_fresh_random_prefix_makes_each_ciphertext_different() -> None:
    crypto = MessageCrypto("AAAAA", OFFICIAL_KEY, OFFICIAL_APPID)
    encrypted = {crypto.encrypt("公租房".encode()) for _ in range(50)}
    assert len(encrypted) == 50
    assert {crypto.decrypt(value) for value in encrypted} == {"公租房".encode()}


@pytest.mark.parametrize(
    "receive_id", ["wx0000000000000000", "wxba5fad812f8e6fb", OFFICIAL_APPID + "0", ""]
)
def test_ciphertext_for_another_receive_id_is_rejected(receive_id: str) -> None:
    with pytest.raises(WrongReceiveId):
        MessageCrypto("AAAAA", OFFICIAL_KEY, receive_id).decrypt(C_ENCRYPT)


def test_wechatpy_ciphertext_for_another_appid_is_rejected() -> None:
    other = PrpCrypto(_aes_key(OFFICIAL_KEY)).encrypt("公租房", "wx1111111111111111").decode()
    with pytest.raises(WrongReceiveId):
        MessageCrypto("AAAAA", OFFICIAL_KEY, OFFICIAL_APPID).decrypt(other)


@pytest.mark.parametrize(
    "encrypted",
    [
        "",
        "!!!!",
        "公租房",
        C_ENCRYPT[:-4],
        C_ENCRYPT[:-1],
        C_ENCRYPT[:40] + " " + C_ENCRYPT[40:],
        base64.b64encode(b"x" * 16).decode(),
        base64.b64encode(b"x" * 33).decode(),
    ],
)
def test_garbage_or_truncated_base64_is_a_decrypt_error(encrypted: str) -> None:
    with pytest.raises(DecryptError):
        MessageCrypto("AAAAA", OFFICIAL_KEY, OFFICIAL_APPID).decrypt(encrypted)


def _full_str(message: bytes, receive_id: bytes, declared_len: int | None = None) -> bytes:
    length = len(message) if declared_len is None else declared_len
    return b"0123456789abcdef" + length.to_bytes(4, "big") + message + receive_id


@pytest.mark.parametrize(
    "padded",
    [
        # Padding byte 0.
        _full_str(b"ab", OFFICIAL_APPID.encode()) + b"\x00" * 24,
        # Padding byte 33 and 255: beyond the 32-byte block.
        _full_str(b"ab", OFFICIAL_APPID.encode()) + b"\x21" * 24,
        _full_str(b"ab", OFFICIAL_APPID.encode()) + b"\xff" * 24,
        # The last byte says 3, the bytes before it disagree.
        _full_str(b"a" * 23, OFFICIAL_APPID.encode()) + b"\x01\x02\x03",
        # The inner length points past the end.
        _full_str(b"ab", OFFICIAL_APPID.encode(), declared_len=1_000_000) + b"\x18" * 24,
        _full_str(b"ab", OFFICIAL_APPID.encode(), declared_len=21) + b"\x18" * 24,
        # Nothing but padding: no room for the random prefix and length field.
        b"\x20" * 32,
        b"0123456789abcdef\x00\x00" + b"\x0e" * 14,
    ],
)
def test_forged_plaintext_layouts_are_decrypt_errors(padded: bytes) -> None:
    assert len(padded) % 32 == 0
    with pytest.raises(DecryptError):
        MessageCrypto("AAAAA", OFFICIAL_KEY, OFFICIAL_APPID).decrypt(
            _encrypt_raw(OFFICIAL_KEY, padded)
        )


def test_forged_layout_control_case_decrypts() -> None:
    padded = _full_str(b"ab", OFFICIAL_APPID.encode()) + b"\x18" * 24
    crypto = MessageCrypto("AAAAA", OFFICIAL_KEY, OFFICIAL_APPID)
    assert crypto.decrypt(_encrypt_raw(OFFICIAL_KEY, padded)) == b"ab"


@pytest.mark.parametrize(
    ("signature", "encrypted"),
    [
        ("046e02f8204d34f8ba5fa3b1db94908f3df2e9b4", C_ENCRYPT),
        ("", C_ENCRYPT),
        ("046e02f8204d34f8ba5fa3b1db94908f3df2e9b3", D_ENCRYPT),
        # A bad signature is reported before the (also bad) ciphertext is looked at.
        ("046e02f8204d34f8ba5fa3b1db94908f3df2e9b3", "!!!!"),
    ],
)
def test_wrong_msg_signature_is_rejected(signature: str, encrypted: str) -> None:
    crypto = MessageCrypto("AAAAA", OFFICIAL_KEY, OFFICIAL_APPID)
    with pytest.raises(BadSignature):
        crypto.verify_and_decrypt(signature, "1714112445", "415670741", encrypted)


def test_echostr_that_is_not_utf8_is_a_decrypt_error() -> None:
    crypto = MessageCrypto("123456", H_KEY, H_CORPID)
    echostr = crypto.encrypt(b"\xff\xfe\xfd")
    signature = sign("123456", "1411443780", "1", echostr)
    with pytest.raises(DecryptError):
        crypto.decrypt_echostr(signature, "1411443780", "1", echostr)


@pytest.mark.parametrize(
    ("timestamp", "nonce"),
    [("", "415670741"), ("1713424427<", "415670741"), ("1713424427", ""), ("1", "a]]>b")],
)
def test_encrypted_reply_refuses_unsafe_timestamp_or_nonce(timestamp: str, nonce: str) -> None:
    crypto = MessageCrypto("AAAAA", OFFICIAL_KEY, OFFICIAL_APPID)
    with pytest.raises(ValueError, match="reply"):
        crypto.encrypted_reply("<xml/>", timestamp, nonce)


@pytest.mark.parametrize("random16", [b"", b"short", b"x" * 17])
def test_random_prefix_must_be_sixteen_bytes(random16: bytes) -> None:
    crypto = MessageCrypto("AAAAA", OFFICIAL_KEY, OFFICIAL_APPID)
    with pytest.raises(ValueError, match="16 bytes"):
        crypto.encrypt(b"x", random16=random16)


@pytest.mark.parametrize("error", [BadSignature, DecryptError, WrongReceiveId])
def test_every_failure_is_a_wechat_crypto_error(error: type[Exception]) -> None:
    assert issubclass(error, WeChatCryptoError)
