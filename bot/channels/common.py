"""What every input channel does with a person's message, in one place:
size limits, the pseudonymous sender id, relay to a counsellor when one holds the
conversation, then Rasa."""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint

from bot.channels import outbound

from bot.handoff.relay import relay_person_message
from bot.privacy.pseudonym import pseudonymous_id
from bot.privacy.redactor import install_log_redaction

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4000  # longer messages are cut; nobody in danger writes more at once


def clean_text(text: Any) -> str:
    """Text as Rasa should see it: a string, no NULs or control characters, bounded."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = "".join(ch for ch in text if ch in "\n\t" or ch >= " " and ch != "\x7f")
    return text[:MAX_TEXT_CHARS].strip()


async def deliver(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    *,
    channel: str,
    address: str,
    text: Any,
    output_channel: OutputChannel,
    message_id: Optional[str] = None,
    metadata: Optional[Dict[str, Any]] = None,
) -> str:
    """Hand one message to Rasa (and to the counsellor if one holds the conversation).

    Returns the pseudonymous sender id. ``address`` (phone number, chat id, browser
    session) never goes further than this function.
    """
    sender_id = pseudonymous_id(channel, address)
    text = clean_text(text)
    meta = dict(metadata or {})
    meta["channel"] = channel
    if message_id:
        meta["message_id"] = message_id
    await relay_person_message(sender_id, text, channel=channel, message_id=message_id)
    await on_new_message(
        UserMessage(text, output_channel, sender_id, input_channel=channel, message_id=message_id, metadata=meta)
    )
    return sender_id


def at_server_start(blueprint: Blueprint, channel: str, sender: Optional[outbound.OutboundSender] = None) -> None:
    """What every channel does when Rasa's server starts: log redaction on (idempotent,
    so the first channel to start does it for the whole process) and, for a channel
    that can write to a person outside a Rasa turn, its outbound sender."""

    @blueprint.listener("before_server_start")
    async def _start(app: Any, loop: Any) -> None:
        install_log_redaction()
        if sender is not None:
            outbound.register(channel, sender)
