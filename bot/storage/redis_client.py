"""One Redis connection pool per process, sync and asyncio, from ``REDIS_URL``."""
from __future__ import annotations

import functools

import redis
import redis.asyncio as aioredis

from bot.settings import get_settings


@functools.lru_cache(maxsize=1)
def get_redis() -> redis.Redis:
    """Blocking client, for code that runs outside the event loop (CLI, tracker store)."""
    return redis.Redis.from_url(get_settings().require_redis_url(), decode_responses=True)


_async_clients: dict = {}


def get_async_redis() -> aioredis.Redis:
    """Asyncio client bound to the running event loop (Sanic and PTB each run one)."""
    import asyncio

    loop = asyncio.get_running_loop()
    client = _async_clients.get(id(loop))
    if client is None:
        client = aioredis.Redis.from_url(get_settings().require_redis_url(), decode_responses=True)
        _async_clients[id(loop)] = client
    return client
