"""HTTP edges of the webhooks: URL verification (GET) and pushes (POST) at /wechat and /wecom.

A push is accepted only with a valid signature (plaintext mode: ``signature``; encrypted modes
and WeCom: ``msg_signature`` over the ciphertext, then the AppID/CorpID inside it), compared in
constant time, and a timestamp within the replay window. Anything else is refused with 403 and
logged without its body. A signed body that is not a readable message is kept for staff and
answered "success" (never an error: WeChat would show residents a failure notice). Replies to
encrypted pushes are encrypted and signed; "success" never is.
"""

from __future__ import annotations

import logging
import re
import time

from aiohttp import web

from handlers import keys
from handlers.wechat.crypto import WeChatCryptoError
from handlers.wechat.endpoints import Endpoint, Webhook
from handlers.wechat.messages import SUCCESS, MalformedMessage, parse_envelope, parse_message
from handlers.wechat.replies import render_reply
from handlers.wechat.signature import random_nonce, signature_matches

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

_REPLY_NONCE = re.compile(r"[A-Za-z0-9]{1,64}")
_XML_CONTENT_TYPE = "application/xml"


@routes.get("/wechat")
async def verify_wechat(request: web.Request) -> web.Response:
    """URL verification of the 公众号: echo echostr byte-exact when the signature is right."""
    webhook, endpoint = _configured(request, "wechat")
    query = request.query
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    if not webhook.fresh(timestamp):
        return _refuse(request, "stale or missing timestamp")
    if not signature_matches(query.get("signature", ""), endpoint.token, timestamp, nonce):
        return _refuse(request, "wrong signature")
    return web.Response(text=query.get("echostr", ""))


@routes.get("/wecom")
async def verify_wecom(request: web.Request) -> web.Response:
    """URL verification of WeCom: check msg_signature and answer the decrypted echostr."""
    webhook, endpoint = _configured(request, "wecom")
    query = request.query
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    if not webhook.fresh(timestamp) or endpoint.crypto is None:
        return _refuse(request, "stale or missing timestamp")
    # Base64 has no spaces: a space is a '+' that reached us without URL-encoding.
    echostr = query.get("echostr", "").replace(" ", "+")
    try:
        plain = endpoint.crypto.decrypt_echostr(
            query.get("msg_signature", ""), timestamp, nonce, echostr
        )
    except WeChatCryptoError as error:
        return _refuse(request, f"echostr refused: {type(error).__name__}")
    return web.Response(text=plain)


@routes.post("/wechat")
async def push_wechat(request: web.Request) -> web.Response:
    """A message or event pushed by the 公众号 platform."""
    webhook, endpoint = _configured(request, "wechat")
    return await _push(request, webhook, endpoint)


@routes.post("/wecom")
async def push_wecom(request: web.Request) -> web.Response:
    """A message or event pushed by WeCom."""
    webhook, endpoint = _configured(request, "wecom")
    return await _push(request, webhook, endpoint)


async def _push(request: web.Request, webhook: Webhook, endpoint: Endpoint) -> web.Response:
    arrived = time.monotonic()
    query = request.query
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    if not webhook.fresh(timestamp):
        return _refuse(request, "stale or missing timestamp")
    encrypted = endpoint.wecom or query.get("encrypt_type", "raw") == "aes"
    if encrypted != endpoint.encrypted:
        why = "encrypted push but no EncodingAESKey" if encrypted else "plaintext push refused"
        return _refuse(request, f"{why} (check ANJU_WECHAT_AES_KEY against the console's mode)")
    if not encrypted and not signature_matches(
        query.get("signature", ""), endpoint.token, timestamp, nonce
    ):
        return _refuse(request, "wrong signature")
    body = await _read_body(request, webhook.max_body_bytes)
    if body is None:
        log.warning(
            "refused a push to %s: body over %d bytes", request.path, webhook.max_body_bytes
        )
        return web.Response(status=413, text="request body too large")
    message_bytes = body
    if endpoint.crypto is not None:
        try:
            envelope = parse_envelope(body)
            message_bytes = endpoint.crypto.verify_and_decrypt(
                query.get("msg_signature", ""), timestamp, nonce, envelope.encrypt
            )
        except MalformedMessage as error:
            log.warning("refused a push to %s: %s", request.path, error)
            return web.Response(status=400, text="not a WeChat envelope")
        except WeChatCryptoError as error:
            return _refuse(request, type(error).__name__)
    exchange = webhook.exchange
    try:
        message = parse_message(message_bytes)
    except MalformedMessage as error:
        log.warning("unreadable signed push to %s kept for staff: %s", request.path, error)
        await exchange.unreadable(endpoint.channel, message_bytes, query.get("openid", ""))
        return web.Response(text=SUCCESS)
    reply = await exchange.respond(endpoint.channel, message, arrived)
    if reply.is_success:
        return web.Response(text=SUCCESS)
    now = str(int(webhook.clock()))
    xml = render_reply(reply, message.from_user, message.to_user, int(now))
    if endpoint.crypto is not None:
        reply_nonce = nonce if _REPLY_NONCE.fullmatch(nonce) else random_nonce()
        xml = endpoint.crypto.encrypted_reply(xml, now, reply_nonce)
    return web.Response(text=xml, content_type=_XML_CONTENT_TYPE)


def _configured(request: web.Request, name: str) -> tuple[Webhook, Endpoint]:
    webhook = request.app[keys.webhook_key]
    endpoint = webhook.wechat if name == "wechat" else webhook.wecom
    if endpoint is None:
        raise web.HTTPNotFound(text=f"/{name} is not configured")
    return webhook, endpoint


async def _read_body(request: web.Request, limit: int) -> bytes | None:
    """The body, or None when it is longer than limit (read no further than that)."""
    if request.content_length is not None:
        if request.content_length > limit:
            return None
        return await request.read()
    body = bytearray()
    async for chunk in request.content.iter_chunked(16 * 1024):
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _refuse(request: web.Request, reason: str) -> web.Response:
    # Only the reason and the peer: never the body, the query's signatures or the token.
    log.warning("refused a push to %s from %s: %s", request.path, request.remote, reason)
    return web.Response(status=403, text="forbidden")
