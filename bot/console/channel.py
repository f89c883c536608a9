"""The console as a Rasa input channel, so the Rasa server serves it at /console.

Listed in credentials.yml as ``bot.console.channel.ConsoleInput``. The blueprint
serves the page (vendored HTML/JS/CSS, strict Content-Security-Policy, nothing from
third parties) and the JSON API (``bot.console.api``). It also registers the REST
channel's outbound sender, which keeps texts in a per-conversation list because a
REST client cannot be pushed to.
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import outbound
from bot.console.api import add_api_routes
from bot.console.effects import rest_outbox

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
STATIC_FILES = {"console.js": "text/javascript; charset=utf-8", "console.css": "text/css; charset=utf-8"}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@functools.lru_cache(maxsize=None)
def _asset(name: str) -> bytes:
    return (STATIC_DIR / name).read_bytes()


class ConsoleInput(InputChannel):
    """Not a channel people write on: the counsellors' console, mounted at /console."""

    @classmethod
    def name(cls) -> Text:
        return "console"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "ConsoleInput":
        return cls()

    def url_prefix(self) -> Text:
        return "/console"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if "rest" not in getattr(outbound, "_SENDERS", {}):
            outbound.register("rest", rest_outbox)
        page = Blueprint("fristad_console")

        @page.route("/", methods=["GET"])
        async def index(request: Request) -> HTTPResponse:
            return response.raw(_asset("index.html"), content_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)

        @page.route("/static/<name>", methods=["GET"])
        async def asset(request: Request, name: str) -> HTTPResponse:
            if name not in STATIC_FILES:
                return response.json({"error": "not_found"}, status=404)
            return response.raw(_asset(name), content_type=STATIC_FILES[name], headers=SECURITY_HEADERS)

        return add_api_routes(page)
