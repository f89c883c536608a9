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

from bot.handoff import keys, scripts
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


_relay_scripts: Dict[int, Any] = {}


async def relay_to_console(client: aioredis.Redis, sender_id: str, text: str, *, channel: str, message_id: Optional[str]) -> bool:
    """The work of ``relay_person_message`` on a given client (one Lua script). True if relayed (or already was)."""
    script = _relay_scripts.get(id(client))
    if script is None:
        script = _relay_scripts[id(client)] = client.register_script(scripts.RELAY)
    result = await script(
        keys=[keys.state_key(sender_id), keys.seen_key(sender_id, message_id or "-"), keys.relay_key(sender_id), keys.EVENTS],
        args=[
            text, channel, f"{time.time():.3f}", SEEN_SECONDS, get_settings().retention_seconds,
            keys.RELAY_MAXLEN, keys.EVENTS_MAXLEN, sender_id, "1" if message_id else "0",
        ],
    )
    return int(result) > 0


async def relay_person_message(sender_id: str, text: str, *, channel: str, message_id: Optional[str]) -> bool:
    """Called by every input channel before Rasa sees the message. Returns True if relayed.

    A Redis failure here is logged and swallowed: the bot must still answer.
    """
    try:
        return await relay_to_console(get_async_redis(), sender_id, text, channel=channel, message_id=message_id)
    except (redis.RedisError, OSError) as error:
        logger.error("relay to console failed: %s", type(error).__name__)
        return False
