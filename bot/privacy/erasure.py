"""Erase everything Fristad holds about one conversation, at once.

Used by "delete my data" and by operators. Conversation-scoped keys share one
prefix (``bot.storage.keys``); global indexes (the handoff queue) are cleaned by
``bot.handoff.erase``.
"""
from __future__ import annotations

import logging

import redis

from bot.storage.keys import conversation_prefix, tracker_key

logger = logging.getLogger(__name__)


def erase_conversation(client: redis.Redis, sender_id: str) -> int:
    """Delete tracker, handoff state, relay history and address. Returns keys deleted."""
    from bot.handoff.erase import forget_conversation

    deleted = client.delete(tracker_key(sender_id))
    batch = []
    for key in client.scan_iter(match=f"{_escape(conversation_prefix(sender_id))}*", count=500):
        batch.append(key)
        if len(batch) >= 500:
            deleted += client.delete(*batch)
            batch.clear()
    if batch:
        deleted += client.delete(*batch)
    deleted += forget_conversation(client, sender_id)
    logger.info("conversation erased (%d keys)", deleted)
    return deleted


def _escape(pattern: str) -> str:
    """Escape glob characters so a pseudonym can never widen the SCAN."""
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in pattern)
