"""The web widget: a chat page we serve ourselves, at ``/chat``.

Privacy on the person's device comes first: the page stores nothing (no cookies,
no Web Storage, no IndexedDB, no service worker), loads nothing from anyone else
(a strict Content-Security-Policy and no third-party URLs), sends no Referer, and
a quick-exit button (and the Escape key) replaces the page with a neutral site.
The conversation token is issued by the server and lives in the page's memory.

Bot and counsellor messages are appended to a per-conversation Redis stream and
read with Server-Sent Events (``GET /chat/api/events``, resumable with
``Last-Event-ID``), so a dropped connection loses nothing. The person writes with
``POST /chat/api/messages``. Anyone can reach this API, so new conversations and messages
are limited per client address and per conversation (:mod:`bot.channels.ratelimit`); a
request over a limit gets 429 and ``Retry-After``, and the page sends it again then.

Routes (Rasa mounts the blueprint at ``/chat`` because ``url_prefix`` is absolute):
``GET /chat`` page, ``GET /chat/widget.js|widget.css|embed.js``, ``GET /chat/api/config``,
``POST /chat/api/session``, ``POST /chat/api/messages``, ``GET /chat/api/events``.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import os
import re
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import dedupe
from bot.channels.common import at_server_start, deliver
from bot.channels.ratelimit import Limit, over_limit
from bot.channels.http import error, json_body
from bot.channels.options import normalise_buttons
from bot.channels.simple_output import WholeMessageOutput
from bot.nlg.catalog import get_catalog, language_menu_payload
from bot.privacy.pseudonym import pseudonym_key, pseudonymous_id
from bot.settings import get_settings
from bot.storage.keys import conversation_key
from bot.storage.redis_client import get_async_redis

logger = logging.getLogger(__name__)

CHANNEL = "widget"
STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_FILES = {
    "widget.js": "application/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
    "embed.js": "application/javascript; charset=utf-8",
}
STREAM_MAXLEN = 500
SSE_BLOCK_MS = 15000
SSE_MAX_SECONDS = 300  # the client reconnects (with Last-Event-ID) after this
MAX_MESSAGE_ID_CHARS = 64
_STREAM_ID = re.compile(r"^\d{1,20}-\d{1,20}$")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; worker-src 'none'; "
    "manifest-src 'none'; frame-ancestors {ancestors}"
)


def security_headers(embed: bool = False) -> Dict[str, str]:
    return {
        "Content-Security-Policy": CSP.format(ancestors="*" if embed else "'self'"),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        "Cross-Origin-Opener-Policy": "same-origin" if not embed else "unsafe-none",
    }


# --- conversation tokens ---------------------------------------------------------

def _token_mac(nonce: str) -> str:
    mac = hmac.new(pseudonym_key(), f"widget-token:{nonce}".encode("ascii"), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(mac).decode("ascii")


def issue_token() -> str:
    """A fresh conversation token: random part + a MAC, so only we can mint one."""
    nonce = base64.urlsafe_b64encode(os.urandom(24)).decode("ascii")
    return f"{nonce}.{_token_mac(nonce)}"


def token_ok(token: Any) -> bool:
    if not isinstance(token, str) or len(token) > 100 or token.count(".") != 1:
        return False
    nonce, mac = token.split(".")
    try:
        nonce.encode("ascii")
        return hmac.compare_digest(mac.encode("ascii"), _token_mac(nonce).encode("ascii"))
    except UnicodeEncodeError:
        return False


def stream_key(sender_id: str) -> str:
    return conversation_key(sender_id, "widget_stream")


# --- limits ----------------------------------------------------------------------------------

def client_address(request: Request) -> str:
    """The client's address: the one a trusted proxy forwards when Sanic is told to read it
    (``SANIC_PROXIES_COUNT``, ``SANIC_REAL_IP_HEADER``), else the connection's."""
    return request.remote_addr or request.ip or "unknown"


def message_limits(sender_id: str, address: str) -> List[Tuple[Limit, str]]:
    settings = get_settings()
    return [
        (Limit("widget-conversation", settings.widget_messages_per_minute, 60), sender_id),
        (Limit("widget-address", settings.widget_address_messages_per_minute, 60), address),
    ]


def session_limit() -> Limit:
    return Limit("widget-sessions", get_settings().widget_sessions_per_hour, 3600)


def slow_down(wait_seconds: int, code: str, message: str) -> HTTPResponse:
    """429 with the wait in ``Retry-After``: the widget keeps what it was sending and tries again then."""
    headers = {**security_headers(), "Retry-After": str(wait_seconds)}
    return response.json({"error": code, "message": message}, status=429, headers=headers)


# --- output --------------------------------------------------------------------------

async def append_to_stream(sender_id: str, kind: str, text: str, buttons: List[Dict[str, str]], metadata: Dict[str, Any]) -> str:
    """Add one message for the person to the conversation's stream; returns its id."""
    client = get_async_redis()
    key = stream_key(sender_id)
    entry = {
        "kind": kind,
        "text": text,
        "buttons": json.dumps(buttons, ensure_ascii=False),
        "language": str(metadata.get("language") or ""),
        "direction": "rtl" if metadata.get("direction") == "rtl" else "ltr",
    }
    entry_id = await client.xadd(key, entry, maxlen=STREAM_MAXLEN, approximate=True)
    await client.expire(key, get_settings().retention_seconds)
    return entry_id


class WidgetOutput(WholeMessageOutput):
    """Bot replies into the conversation's stream (no I/O on construction)."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    async def send_whole(self, recipient_id: str, text: str, buttons: List[Dict[str, str]], metadata: Dict[str, Any]) -> None:
        await append_to_stream(recipient_id, "bot", text, buttons, metadata)


async def send_outbound(sender_id: str, text: str, buttons: Optional[List[Dict[str, Any]]]) -> None:
    """Counsellor messages: into the same stream, shown as from a person."""
    await append_to_stream(sender_id, "counsellor", text, normalise_buttons(buttons), {})


# --- configuration for the page -------------------------------------------------------

def page_config(language: Optional[str]) -> Dict[str, Any]:
    catalog = get_catalog()
    lang = catalog.language_or_fallback(language if language in catalog.texts else get_settings().default_language)
    ordered = sorted(catalog.languages.values(), key=lambda l: (l.tier, l.english_name))
    labels = catalog.ui_labels(lang)  # the page's own labels, from translations/<lang>.yml `ui:`
    return {
        "language": lang,
        "direction": catalog.languages[lang].direction if lang in catalog.languages else "ltr",
        "languages": [
            {"code": l.code, "name": l.name, "direction": l.direction, "payload": language_menu_payload(l.code)}
            for l in ordered
        ],
        "labels": labels,
        "exit_url": get_settings().neutral_exit_url,
    }


def read_static(name: str) -> bytes:
    return (STATIC_DIR / name).read_bytes()


def page_html(embed: bool) -> str:
    return (STATIC_DIR / "index.html").read_text(encoding="utf-8").replace(
        "{{mode}}", "embed" if embed else "page"
    )


# --- the channel -------------------------------------------------------------------------

class WidgetInput(InputChannel):
    """The web widget channel (``/chat``)."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    def url_prefix(self) -> Text:
        return "/chat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WidgetInput":
        return cls()

    def get_output_channel(self) -> WidgetOutput:
        return WidgetOutput()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        chat = Blueprint("fristad_widget", __name__)

        at_server_start(chat, CHANNEL, send_outbound)

        @chat.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            embed = request.args.get("embed") == "1"
            return response.html(page_html(embed), headers=security_headers(embed))

        def static_route(name: str) -> None:
            async def static(request: Request) -> HTTPResponse:
                headers = security_headers()
                if name == "embed.js":  # loaded by the host page of an embedding site
                    headers["Cross-Origin-Resource-Policy"] = "cross-origin"
                return response.raw(read_static(name), content_type=STATIC_FILES[name], headers=headers)

            chat.add_route(static, f"/{name}", methods=["GET"], name=f"static_{name.replace('.', '_')}")

        for static_name in STATIC_FILES:
            static_route(static_name)

        @chat.route("/api/config", methods=["GET"])
        async def config(request: Request) -> HTTPResponse:
            language = request.args.get("language")
            return response.json(page_config(language), headers=security_headers())

        @chat.route("/api/session", methods=["POST"])
        async def session(request: Request) -> HTTPResponse:
            wait = await over_limit(get_async_redis(), session_limit(), client_address(request))
            if wait:
                logger.warning("widget sessions over the limit for one client address")
                return slow_down(wait, "too_many_sessions", "Please wait a moment and try again.")
            return response.json({"token": issue_token()}, headers=security_headers())

        @chat.route("/api/messages", methods=["POST"])
        async def messages(request: Request) -> HTTPResponse:
            body, problem = json_body(request)
            if problem:
                return problem
            if not isinstance(body, dict) or not token_ok(body.get("token")):
                return error(403, "invalid_token", "Start a new conversation.")
            text, message_id = body.get("text"), body.get("message_id")
            if not isinstance(text, str) or not text.strip():
                return error(400, "invalid_text", "'text' must be a non-empty string.")
            if not isinstance(message_id, str) or not message_id or len(message_id) > MAX_MESSAGE_ID_CHARS:
                return error(400, "invalid_message_id", "'message_id' must be a short string.")
            token = body["token"]
            sender_id = pseudonymous_id(CHANNEL, token)
            client = get_async_redis()
            for limit, subject in message_limits(sender_id, client_address(request)):
                wait = await over_limit(client, limit, subject)
                if wait:
                    logger.warning("widget messages over the %s limit", limit.name)
                    return slow_down(wait, "too_many_messages", "Please wait a moment. Your message will be sent.")
            delivery = f"{sender_id}:{message_id}"
            if not await dedupe.claim(client, CHANNEL, delivery):
                return response.json({"status": "duplicate"}, headers=security_headers())
            hint = body.get("language_hint")
            metadata = {"language_hint": hint} if isinstance(hint, str) and _LANGUAGE_CODE.match(hint) else {}
            try:
                await deliver(
                    on_new_message, channel=CHANNEL, address=token, text=text, output_channel=WidgetOutput(),
                    message_id=f"w-{hashlib.sha256(delivery.encode('utf-8', 'surrogateescape')).hexdigest()[:24]}",
                    metadata=metadata,
                )
            except Exception:
                logger.exception("a widget message could not be processed")
                await dedupe.release(client, CHANNEL, delivery)
                return error(503, "unavailable", "Please try again.")
            return response.json({"status": "ok"}, headers=security_headers())

        @chat.route("/api/events", methods=["GET"])
        async def events(request: Request) -> Optional[HTTPResponse]:
            auth = request.headers.get("Authorization", "")
            token = auth[7:] if auth.startswith("Bearer ") else ""
            if not token_ok(token):
                return error(403, "invalid_token", "Start a new conversation.")
            last = request.headers.get("Last-Event-ID", "0-0").strip() or "0-0"
            if not _STREAM_ID.match(last):
                last = "0-0"
            sender_id = pseudonymous_id(CHANNEL, token)
            headers = security_headers()
            headers["X-Accel-Buffering"] = "no"
            stream = await request.respond(content_type="text/event-stream; charset=utf-8", headers=headers)
            await stream_events(stream, stream_key(sender_id), last)
            return None

        return chat


async def stream_events(stream: Any, key: str, last: str) -> None:
    """Send every stream entry after ``last`` as an SSE event, until the client goes."""
    client = get_async_redis()
    deadline = time.monotonic() + SSE_MAX_SECONDS
    try:
        await stream.send("retry: 2000\n\n")
        while time.monotonic() < deadline:
            batch = await client.xread({key: last}, count=50, block=SSE_BLOCK_MS)
            if not batch:
                await stream.send(": keepalive\n\n")
                continue
            for _, entries in batch:
                for entry_id, fields in entries:
                    last = entry_id
                    data = {
                        "kind": fields.get("kind", "bot"),
                        "text": fields.get("text", ""),
                        "buttons": json.loads(fields.get("buttons") or "[]"),
                        "language": fields.get("language", ""),
                        "direction": fields.get("direction", "ltr"),
                    }
                    await stream.send(f"id: {entry_id}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n")
        await stream.eof()
    except (asyncio.CancelledError, ConnectionError, OSError):
        pass  # the person closed the page or the connection broke: they will resume
    except Exception:
        logger.exception("widget event stream failed")
