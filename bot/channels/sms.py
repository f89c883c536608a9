"""SMS through a Twilio-compatible provider.

The provider POSTs each incoming SMS (form-encoded) to ``/webhooks/sms/webhook``,
signed in ``X-Twilio-Signature`` (HMAC-SHA1 of the URL and the sorted parameters,
base64, keyed with the auth token). Unsigned or wrongly signed requests get a 403
and are not looked at; each ``MessageSid`` is processed once. Replies go out through
the provider's REST API (``Messages.json``) with an asyncio HTTP client, never
blocking the event loop. The phone number is sealed under the conversation prefix;
Rasa sees only the pseudonym.

SMS has no buttons: they become numbered lines, and "2" is mapped back to the
second button's payload. STOP and HELP are answered here, without Rasa.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Text, Tuple
from urllib.parse import parse_qsl

import httpx
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import dedupe
from bot.channels.common import at_server_start, clean_text, deliver
from bot.channels.conversation import conversation_language, render
from bot.channels.http import MAX_BODY_BYTES, error
from bot.channels.options import normalise_buttons, remember_options, resolve_reply
from bot.channels.simple_output import WholeMessageOutput
from bot.channels.sms_text import split_message, with_options
from bot.privacy.address_book import recall_address, remember_address
from bot.privacy.pseudonym import pseudonymous_id
from bot.settings import get_settings
from bot.storage.keys import conversation_key
from bot.storage.redis_client import get_async_redis

logger = logging.getLogger(__name__)

CHANNEL = "sms"
SIGNATURE_HEADER = "X-Twilio-Signature"
STOP_WORDS = {"stop", "stopp", "stopall", "unsubscribe", "cancel", "end", "quit"}
START_WORDS = {"start", "unstop"}
HELP_WORDS = {"help", "info", "hjälp", "hjalp"}
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

_client: Optional[httpx.AsyncClient] = None


def http_client() -> httpx.AsyncClient:
    """One pooled asyncio HTTP client per process (created on the server's loop)."""
    global _client
    if _client is None or _client.is_closed:
        _client = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0))
    return _client


def twilio_signature(auth_token: str, url: str, params: Sequence[Tuple[str, str]]) -> str:
    """Twilio's request signature: base64(HMAC-SHA1(token, url + k1 + v1 + k2 + v2 ...))."""
    data = url + "".join(f"{key}{value}" for key, value in sorted(params))
    digest = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def public_url(request: Request) -> str:
    """The URL the provider signed: FRISTAD_PUBLIC_URL behind a proxy, else as received."""
    base = get_settings().public_url
    query = f"?{request.query_string}" if request.query_string else ""
    if base:
        return f"{base}{request.path}{query}"
    return f"{request.scheme}://{request.host}{request.path}{query}"


def signature_ok(request: Request, params: Sequence[Tuple[str, str]]) -> bool:
    token = get_settings().twilio_auth_token
    given = request.headers.get(SIGNATURE_HEADER)
    if not token or not given:
        return False
    expected = twilio_signature(token, public_url(request), params)
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("ascii"))


def parse_form(raw: bytes) -> Optional[List[Tuple[str, str]]]:
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=100)
    except (UnicodeDecodeError, ValueError):
        return None


def stopped_key(sender_id: str) -> str:
    return conversation_key(sender_id, "sms_stopped")


async def send_sms(sender_id: str, phone: str, text: str, buttons: List[Dict[str, str]]) -> None:
    """Send a bot or counsellor message, split at sentences, through the REST API."""
    settings = get_settings()
    redis = get_async_redis()
    if await redis.exists(stopped_key(sender_id)):
        logger.info("sms not sent: the person replied STOP")
        return
    await remember_options(redis, sender_id, buttons)
    url = f"{settings.twilio_api_base_url}/2010-04-01/Accounts/{settings.twilio_account_sid}/Messages.json"
    auth = (settings.twilio_account_sid, settings.twilio_auth_token)
    for part in split_message(with_options(text, buttons)):
        reply = await http_client().post(url, data={"To": phone, "From": settings.twilio_number, "Body": part}, auth=auth)
        if reply.status_code >= 400:
            logger.error("the SMS provider refused a message (HTTP %d)", reply.status_code)
            reply.raise_for_status()


class SmsOutput(WholeMessageOutput):
    """Answers one phone number; built per request (no I/O here)."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    def __init__(self, phone: str) -> None:
        self.phone = phone

    async def send_whole(self, recipient_id: str, text: str, buttons: List[Dict[str, str]], metadata: Dict[str, Any]) -> None:
        await send_sms(recipient_id, self.phone, text, buttons)


async def send_outbound(sender_id: str, text: str, buttons: Optional[List[Dict[str, Any]]]) -> None:
    phone = await recall_address(get_async_redis(), sender_id)
    if phone is None:
        raise LookupError("no address for this conversation (expired or erased)")
    await send_sms(sender_id, phone, text, normalise_buttons(buttons))


class SmsInput(InputChannel):
    """``POST /webhooks/sms/webhook`` in Twilio's format."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "SmsInput":
        return cls()

    def get_output_channel(self) -> None:
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("fristad_sms_webhook", __name__)

        at_server_start(webhook, CHANNEL, send_outbound)

        @webhook.listener("before_server_start")
        async def start(app: Any, loop: Any) -> None:
            if not get_settings().twilio_auth_token:
                logger.info("TWILIO_AUTH_TOKEN is not set; the SMS channel will refuse messages")

        @webhook.listener("after_server_stop")
        async def stop(app: Any, loop: Any) -> None:
            global _client
            if _client is not None:
                await _client.aclose()
                _client = None

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            raw = request.body or b""
            if len(raw) > MAX_BODY_BYTES:
                return error(413, "body_too_large", "The request is too large.")
            params = parse_form(raw)
            if params is None:
                return error(400, "invalid_form", "The body must be form-encoded.")
            if not signature_ok(request, params):
                return error(403, "forbidden", "Wrong or missing signature.")
            fields = dict(params)
            sid, phone = fields.get("MessageSid", ""), fields.get("From", "")
            if not sid or not phone or len(sid) > 64 or len(phone) > 32:
                return error(400, "invalid_message", "MessageSid and From are required.")
            client = get_async_redis()
            if not await dedupe.claim(client, CHANNEL, sid):
                return response.text(EMPTY_TWIML, content_type="text/xml")
            try:
                await self._handle(request, on_new_message, client, phone, fields.get("Body", ""), sid)
            except Exception:
                logger.exception("an SMS could not be processed; the provider may retry")
                await dedupe.release(client, CHANNEL, sid)
                return error(503, "unavailable", "Try again later.")
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return webhook

    async def _handle(self, request: Request, on_new_message: Callable, client: Any, phone: str, body: str, sid: str) -> None:
        sender_id = pseudonymous_id(CHANNEL, phone)
        await remember_address(client, sender_id, phone)
        output = SmsOutput(phone)
        text = clean_text(body)
        # An answer that picks one of the options last offered ("2", or a title such as
        # "Cancel" for withdrawing the request for a counsellor) is that answer, even when
        # it is also a keyword: "cancel" must not stop every message to someone waiting.
        chosen = await resolve_reply(client, sender_id, text) if text else None
        keyword = "" if chosen else text.strip().strip(".!").casefold()
        if keyword in STOP_WORDS:
            language = await conversation_language(request.app, sender_id)
            await output.send_whole(sender_id, render("utter_sms_stop", language).text, [], {})
            await client.set(stopped_key(sender_id), "1", ex=get_settings().retention_seconds)
            return
        await client.delete(stopped_key(sender_id))  # writing again means they want answers
        if keyword in HELP_WORDS:
            language = await conversation_language(request.app, sender_id)
            await output.send_whole(sender_id, render("utter_sms_help", language).text, [], {})
            return
        if keyword in START_WORDS:
            text = "/greet"
        if not text:
            language = await conversation_language(request.app, sender_id)
            await output.send_whole(sender_id, render("utter_please_write_text", language).text, [], {})
            return
        await deliver(
            on_new_message, channel=CHANNEL, address=phone, text=chosen or text, output_channel=output,
            message_id=f"sms-{sid}",
        )
