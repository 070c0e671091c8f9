"""WeChat message encryption (消息加解密) for 公众号 safe/compatible mode and WeCom callbacks."""

from __future__ import annotations

import base64
import binascii
import re
import secrets

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from handlers.wechat.signature import sign, signature_matches

# WeChat pads to 32-byte blocks (not AES's 16): the pad length n is 1..32, so a standard 16-byte
# PKCS#7 unpadder rejects about half of all messages.
_PAD_BLOCK = 32
_RANDOM_PREFIX_BYTES = 16
_LENGTH_FIELD_BYTES = 4
_HEADER_BYTES = _RANDOM_PREFIX_BYTES + _LENGTH_FIELD_BYTES
# Index n holds the n-byte PKCS#7 tail, so checking a tail is one endswith() without copying.
_PAD_TAILS = tuple(bytes([n]) * n for n in range(_PAD_BLOCK + 1))

_ENCODING_AES_KEY = re.compile(r"[A-Za-z0-9]{43}")
_REPLY_TIMESTAMP = re.compile(r"[0-9]{1,20}")
_REPLY_NONCE = re.compile(r"[A-Za-z0-9]{1,64}")


class WeChatCryptoError(Exception):
    """A WeChat ciphertext or signature could not be accepted."""


class DecryptError(WeChatCryptoError):
    """The ciphertext is malformed: bad base64, length, padding or inner length field."""


class WrongReceiveId(WeChatCryptoError):
    """The ciphertext decrypted cleanly but names another AppID/CorpID: not meant for us."""


class BadSignature(WeChatCryptoError):
    """``msg_signature`` does not match token, timestamp, nonce and the ciphertext."""


class MessageCrypto:
    """Encrypts, decrypts and signs messages for one account.

    ``receive_id`` is the AppID for a 公众号, the CorpID for a WeCom self-built app (the
    suite_id for a third-party app, the empty string for a WeCom 智能机器人). One instance is
    meant to live as long as the account's configuration and is safe to share between
    threads: every call builds its own cipher context from the prepared ``Cipher``.
    """

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        if not _ENCODING_AES_KEY.fullmatch(encoding_aes_key):
            raise ValueError(
                "EncodingAESKey must be exactly 43 characters from A-Z, a-z and 0-9 "
                f"(got {len(encoding_aes_key)} characters)"
            )
        key = base64.b64decode(encoding_aes_key + "=")
        if len(key) != 32:
            raise ValueError(f"EncodingAESKey must decode to 32 bytes, not {len(key)}")
        self._token = token
        self._receive_id = receive_id.encode("utf-8")
        self._cipher = Cipher(algorithms.AES(key), modes.CBC(key[:16]))

    def decrypt(self, encrypted_b64: str) -> bytes:
        """Decrypt an ``Encrypt`` value and return the inner message bytes.

        Raises ``DecryptError`` for anything malformed and ``WrongReceiveId`` when the
        message was encrypted for another AppID/CorpID. Does not check any signature: use
        ``verify_and_decrypt`` for input from the network.
        """
        try:
            ciphertext = base64.b64decode(encrypted_b64, validate=True)
        except (binascii.Error, ValueError) as error:
            raise DecryptError(f"Encrypt is not valid base64: {error}") from None
        if not ciphertext or len(ciphertext) % _PAD_BLOCK:
            raise DecryptError(
                f"ciphertext is {len(ciphertext)} bytes, not a positive multiple of {_PAD_BLOCK}"
            )
        decryptor = self._cipher.decryptor()
        plain = decryptor.update(ciphertext)
        decryptor.finalize()

        pad = plain[-1]
        if not 1 <= pad <= _PAD_BLOCK or not plain.endswith(_PAD_TAILS[pad]):
            raise DecryptError("ciphertext has invalid PKCS#7 padding")
        content_end = len(plain) - pad
        if content_end < _HEADER_BYTES:
            raise DecryptError("decrypted text is too short for the random prefix and length")
        msg_len = int.from_bytes(plain[_RANDOM_PREFIX_BYTES:_HEADER_BYTES], "big")
        msg_end = _HEADER_BYTES + msg_len
        if msg_end > content_end:
            raise DecryptError(
                f"inner length {msg_len} exceeds the {content_end - _HEADER_BYTES} bytes present"
            )
        if memoryview(plain)[msg_end:content_end] != self._receive_id:
            raise WrongReceiveId("the message was encrypted for another AppID/CorpID")
        return plain[_HEADER_BYTES:msg_end]

    def encrypt(self, message: bytes, random16: bytes | None = None) -> str:
        """Encrypt ``message`` and return the base64 ``Encrypt`` value.

        ``random16`` fixes the 16-byte random prefix (for test vectors only); by default it is
        16 fresh hex characters, the alphabet Tencent's own samples use.
        """
        if random16 is None:
            random16 = secrets.token_hex(_RANDOM_PREFIX_BYTES // 2).encode("ascii")
        elif len(random16) != _RANDOM_PREFIX_BYTES:
            raise ValueError(f"random16 must be 16 bytes, not {len(random16)}")
        unpadded_len = _HEADER_BYTES + len(message) + len(self._receive_id)
        pad = _PAD_BLOCK - unpadded_len % _PAD_BLOCK
        full = b"".join(
            (
                random16,
                len(message).to_bytes(_LENGTH_FIELD_BYTES, "big"),
                message,
                self._receive_id,
                _PAD_TAILS[pad],
            )
        )
        encryptor = self._cipher.encryptor()
        ciphertext = encryptor.update(full)
        encryptor.finalize()
        return base64.b64encode(ciphertext).decode("ascii")

    def verify_and_decrypt(
        self, msg_signature: str, timestamp: str, nonce: str, encrypted: str
    ) -> bytes:
        """Check ``msg_signature`` (constant time) and only then decrypt ``encrypted``.

        Raises ``BadSignature`` before touching the ciphertext, so unauthenticated senders
        learn nothing about padding or layout.
        """
        if not signature_matches(msg_signature, self._token, timestamp, nonce, encrypted):
            raise BadSignature("msg_signature does not match the message")
        return self.decrypt(encrypted)

    def encrypted_reply(
        self, reply_xml: str, timestamp: str, nonce: str, random16: bytes | None = None
    ) -> str:
        """Wrap a plaintext reply in the signed ``<xml><Encrypt>…</xml>`` envelope.

        ``timestamp`` is the reply's own time (now) and ``nonce`` either the request's nonce
        or ``random_nonce()``. Both are written into the envelope unescaped, so they must be
        plain decimal seconds and alphanumeric respectively (ValueError otherwise).
        ``success`` and the empty body are never encrypted: do not pass them here.
        """
        if not _REPLY_TIMESTAMP.fullmatch(timestamp):
            raise ValueError(f"reply timestamp must be decimal seconds, not {timestamp!r}")
        if not _REPLY_NONCE.fullmatch(nonce):
            raise ValueError(f"reply nonce must be 1-64 letters or digits, not {nonce!r}")
        encrypted = self.encrypt(reply_xml.encode("utf-8"), random16)
        signature = sign(self._token, timestamp, nonce, encrypted)
        return (
            f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
            f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp>"
            f"<Nonce><![CDATA[{nonce}]]></Nonce></xml>"
        )

    def decrypt_echostr(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """Answer a WeCom URL verification: check the signature and decrypt ``echostr``.

        The parameters must already be URL-decoded exactly once. The result is the text to
        return as the response body, byte-exact (no quotes, BOM or newline).
        """
        plain = self.verify_and_decrypt(msg_signature, timestamp, nonce, echostr)
        try:
            return plain.decode("utf-8")
        except UnicodeDecodeError:
            raise DecryptError("decrypted echostr is not UTF-8 text") from None
