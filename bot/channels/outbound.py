"""Sending to a person outside a Rasa turn (a counsellor's reply, a queue update).

Each channel registers how it reaches a conversation; the handoff code only knows
the pseudonymous sender id and the channel name.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Optional

OutboundSender = Callable[[str, str, Optional[List[Dict[str, Any]]]], Awaitable[None]]
_SENDERS: Dict[str, OutboundSender] = {}


def register(channel: str, sender: OutboundSender) -> None:
    """Called by a channel when Rasa builds its blueprint (start-up, not import)."""
    _SENDERS[channel] = sender


async def send_to_person(channel: str, sender_id: str, text: str, buttons: Optional[List[Dict[str, Any]]] = None) -> None:
    """Deliver ``text`` to the person behind ``sender_id`` on ``channel``."""
    try:
        sender = _SENDERS[channel]
    except KeyError:
        raise LookupError(f"no outbound sender registered for channel {channel!r}") from None
    await sender(sender_id, text, buttons)
