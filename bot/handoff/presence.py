"""Which counsellors are at the console now, per team.

A person who asks for a human at three in the morning must not be told that someone
will write in five minutes. The console beats every 15 s; each beat (and a login)
marks the counsellor present in each of their teams, and logging out removes them.
Someone silent for ``PRESENCE_SECONDS`` has closed the console or lost the connection.
Only login names are kept, one sorted set per team, scored by the last beat.
"""
from __future__ import annotations

from typing import Iterable, Optional

from bot.handoff.keys import presence_key
from bot.handoff.queue import now_ms as _now_ms

PRESENCE_SECONDS = 60  # four missed beats


async def mark_present(client, name: str, teams: Iterable[str], now_ms: Optional[int] = None) -> None:
    now_ms = _now_ms() if now_ms is None else now_ms
    pipe = client.pipeline(transaction=False)
    for team in teams:
        pipe.zadd(presence_key(team), {name: now_ms})
        pipe.expire(presence_key(team), PRESENCE_SECONDS * 2)
    await pipe.execute()


async def mark_gone(client, name: str, teams: Iterable[str]) -> None:
    pipe = client.pipeline(transaction=False)
    for team in teams:
        pipe.zrem(presence_key(team), name)
    await pipe.execute()


async def present_count(client, team: str, now_ms: Optional[int] = None) -> int:
    """How many counsellors of ``team`` beat within the last ``PRESENCE_SECONDS``."""
    now_ms = _now_ms() if now_ms is None else now_ms
    return int(await client.zcount(presence_key(team), now_ms - PRESENCE_SECONDS * 1000, "+inf"))
