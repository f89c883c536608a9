"""At-most-once processing of a webhook delivery.

Telegram and Twilio retry a delivery they think failed; the same message must not
reach Rasa twice (two answers, two queue entries). The first process to ``SET NX``
the delivery id wins. Ids are hashed: they are not personal, but need not be readable.
"""
from __future__ import annotations

from bot.privacy.sealing import short_hash
from bot.storage.keys import ROOT

SEEN_TTL_SECONDS = 24 * 3600  # Telegram gives up after 24 h; Twilio much sooner


def seen_key(channel: str, delivery_id: str) -> str:
    return f"{ROOT}:seen:{channel}:{short_hash(delivery_id)}"


async def claim(client, channel: str, delivery_id: str, ttl: int = SEEN_TTL_SECONDS) -> bool:
    """True the first time this delivery is seen (then process it), False for a repeat."""
    return bool(await client.set(seen_key(channel, delivery_id), "1", nx=True, ex=ttl))


async def release(client, channel: str, delivery_id: str) -> None:
    """Forget a claim whose processing failed, so the sender's retry is processed."""
    await client.delete(seen_key(channel, delivery_id))
