"""Entry points the bot's actions call. Placeholder until the handoff queue lands:
the request is recorded in Redis, under the conversation's own prefix."""
from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import Optional

from bot.handoff.requests import HandoffRequest
from bot.settings import get_settings
from bot.storage.keys import conversation_key
from bot.storage.redis_client import get_async_redis


async def enqueue(request: HandoffRequest) -> Optional[int]:
    """Record the request; returns the place in the queue when known."""
    client = get_async_redis()
    key = conversation_key(request.sender_id, "handoff:request")
    await client.set(key, json.dumps({**asdict(request), "requested_at": time.time()}), ex=get_settings().retention_seconds)
    return None


async def cancel(sender_id: str) -> bool:
    client = get_async_redis()
    return bool(await client.delete(conversation_key(sender_id, "handoff:request")))
