"""Remove one conversation from the handoff indexes that are not under its own prefix.

Called by ``bot.privacy.erasure.erase_conversation`` after the conversation's own
keys are gone, so nothing here may rely on its state hash: every global index is
cleaned by name (team queues, direct transfers, leases, held sets, event stream).
"""
from __future__ import annotations

import logging

import redis

from bot.handoff import keys

logger = logging.getLogger(__name__)


def forget_conversation(client: redis.Redis, sender_id: str) -> int:
    """Remove ``sender_id`` from every global handoff index. Returns entries removed."""
    removed = client.zrem(keys.LEASES, sender_id)
    for pattern in (f"{keys.HANDOFF_ROOT}queue:*", f"{keys.HANDOFF_ROOT}direct:*"):
        for key in client.scan_iter(match=pattern, count=500, _type="zset"):
            removed += client.zrem(key, sender_id)
    for key in client.scan_iter(match=f"{keys.HANDOFF_ROOT}held:*", count=500, _type="set"):
        removed += client.srem(key, sender_id)
    # The event stream holds ids only, but an erased conversation leaves no trace at all.
    stale = [entry_id for entry_id, fields in client.xrange(keys.EVENTS) if fields.get("conversation") == sender_id]
    if stale:
        removed += client.xdel(keys.EVENTS, *stale)
    return removed
