"""Entry points the bot's actions call: ask for a human, withdraw the request."""
from __future__ import annotations

import logging
from typing import Optional

from bot.handoff import presence
from bot.handoff.queue import queue_for
from bot.handoff.requests import HandoffRequest
from bot.storage.redis_client import get_async_redis

logger = logging.getLogger(__name__)

MINUTES_PER_PLACE = 5  # rough: one counsellor takes some minutes to pick up the next conversation


def wait_minutes(position: int, counsellors: int = 1) -> int:
    """A rough estimate the person sees: places ahead shared among the counsellors
    present; never zero."""
    rounds = -(-position // max(1, counsellors))
    return max(1, rounds * MINUTES_PER_PLACE)


async def counsellors_present(team: str) -> int:
    """Counsellors of ``team`` at the console now (see :mod:`bot.handoff.presence`)."""
    return await presence.present_count(get_async_redis(), team)


async def enqueue(request: HandoffRequest) -> Optional[int]:
    """Put the conversation in the queue (idempotent); returns the place in the queue,
    None when a counsellor already holds it."""
    position = await queue_for(get_async_redis()).enqueue(request)
    logger.info("handoff requested: team=%s urgency=%d place=%s", request.team, request.urgency, position)
    return position


async def cancel(sender_id: str) -> bool:
    """Withdraw a waiting request; False if there was none (or a counsellor holds it)."""
    return await queue_for(get_async_redis()).cancel(sender_id)
