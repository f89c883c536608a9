"""Rasa's RedisLockStore on ``REDIS_URL`` (several bot processes, one Redis)."""
from __future__ import annotations

import redis
from rasa.core.lock_store import RedisLockStore

from bot.settings import get_settings
from bot.storage.keys import ROOT


class FristadLockStore(RedisLockStore):
    """Conversation locks in the same Redis as everything else."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(key_prefix=ROOT)
        self.red = redis.Redis.from_url(get_settings().require_redis_url(), socket_timeout=10)
