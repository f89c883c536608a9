"""The REST channel at ``/webhooks/rest/webhook``, hardened.

Rasa's own RestInput trusts the client's ``sender`` and answers malformed JSON
with a 500. This one pseudonymises the sender, answers bad bodies with a 4xx,
bounds the text, and relays to a counsellor when one holds the conversation.
Request and response shapes are Rasa's: ``{"sender", "message"}`` in, a list of
``{"recipient_id", "text", "buttons"?}`` out.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.common import at_server_start, deliver
from bot.channels.http import error, json_body

logger = logging.getLogger(__name__)
MAX_SENDER_CHARS = 128


class RestInput(InputChannel):
    """``POST /webhooks/rest/webhook`` with ``{"sender": "...", "message": "..."}``."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RestInput":
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("fristad_rest_webhook", __name__)
        at_server_start(webhook, self.name())  # replies go back in the HTTP response

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body, problem = json_body(request)
            if problem:
                return problem
            if not isinstance(body, dict):
                return error(400, "invalid_body", "The body must be a JSON object.")
            sender = body.get("sender")
            if not isinstance(sender, (str, int)) or not str(sender).strip() or len(str(sender)) > MAX_SENDER_CHARS:
                return error(400, "invalid_sender", "'sender' must be a short string.")
            collector = CollectingOutputChannel()
            await deliver(
                on_new_message,
                channel=self.name(),
                address=str(sender),
                text=body.get("message"),
                output_channel=collector,
                message_id=str(body["message_id"])[:64] if body.get("message_id") else None,
            )
            for message in collector.messages:
                message["recipient_id"] = str(sender)  # the caller's own id, not the pseudonym
            return response.json(collector.messages)

        return webhook
