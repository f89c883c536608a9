"""Relay of the person's messages to the console while a human holds the conversation.

Each conversation has a Redis stream (its relay history) that any bot process can
append to; the console reads it and learns of new entries from the global event
stream. A message id is relayed once (SET NX), whichever process receives it.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Dict, List, Optional

import redis
import redis.asyncio as aioredis

from bot.handoff import keys
from bot.handoff.queue import HUMAN_STATES, queue_for
from bot.settings import get_settings
from bot.storage.redis_client import get_async_redis

logger = logging.getLogger(__name__)

SEEN_SECONDS = 24 * 3600  # redeliveries come within minutes; a day is plenty


async def record(client: aioredis.Redis, sender_id: str, author: str, text: str, **fields: Any) -> str:
    """Append to the conversation's relay history; returns the stream id."""
    entry = {"from": author, "text": text, "ts": f"{time.time():.3f}", **{k: str(v) for k, v in fields.items() if v is not None}}
    pipe = client.pipeline(transaction=True)
    pipe.xadd(keys.relay_key(sender_id), entry, maxlen=keys.RELAY_MAXLEN, approximate=True)
    pipe.expire(keys.relay_key(sender_id), get_settings().retention_seconds)
    stream_id, _ = await pipe.execute()
    return stream_id


async def history(client: aioredis.Redis, sender_id: str, after: Optional[str] = None) -> List[Dict[str, str]]:
    """The relay history, oldest first (only entries after ``after`` if given)."""
    start = f"({after}" if after else "-"
    return [{"id": stream_id, **fields} for stream_id, fields in await client.xrange(keys.relay_key(sender_id), min=start)]


async def relay_to_console(client: aioredis.Redis, sender_id: str, text: str, *, channel: str, message_id: Optional[str]) -> bool:
    """The work of ``relay_person_message`` on a given client. True if relayed (or already was)."""
    state = await client.hget(keys.state_key(sender_id), "state")
    if state not in HUMAN_STATES:
        return False
    if message_id and not await client.set(keys.seen_key(sender_id, message_id), "1", nx=True, ex=SEEN_SECONDS):
        return True  # another process (or a webhook retry) already relayed it
    stream_id = await record(client, sender_id, "person", text, channel=channel)
    if state == "assigned":
        await client.hincrby(keys.state_key(sender_id), "unread", 1)
    await queue_for(client).publish("message", sender_id, entry=stream_id)
    return True


async def relay_person_message(sender_id: str, text: str, *, channel: str, message_id: Optional[str]) -> bool:
    """Called by every input channel before Rasa sees the message. Returns True if relayed.

    A Redis failure here is logged and swallowed: the bot must still answer.
    """
    try:
        return await relay_to_console(get_async_redis(), sender_id, text, channel=channel, message_id=message_id)
    except (redis.RedisError, OSError) as error:
        logger.error("relay to console failed: %s", type(error).__name__)
        return False
