"""Relay of the person's messages to the console while a human holds the conversation."""
from __future__ import annotations

from typing import Optional


async def relay_person_message(sender_id: str, text: str, *, channel: str, message_id: Optional[str]) -> bool:
    """Placeholder until the handoff queue lands: nothing is relayed. Returns True if relayed."""
    return False
