"""Remove one conversation from the handoff indexes that are not under its own prefix."""
from __future__ import annotations

import redis


def forget_conversation(client: redis.Redis, sender_id: str) -> int:
    """Placeholder until the handoff queue lands: there are no global indexes yet."""
    return 0
