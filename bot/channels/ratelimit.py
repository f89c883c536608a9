"""Fixed-window request limits in Redis, for the widget: the one channel open to anyone.

Telegram and the SMS provider verify who sends; the widget's API answers any browser,
and a conversation token costs nothing to mint. These limits stop one script from
flooding the queue and the counsellors without slowing a person down: nobody types
thirty messages a minute. A request over a limit is refused with a time to wait, never
dropped; the widget waits and sends the same message again.

Subjects (a conversation's sender id, a client address) are stored only as keyed hashes,
in keys that expire with their window.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Optional

from bot.privacy.pseudonym import pseudonymous_id
from bot.storage.keys import ROOT


@dataclass(frozen=True)
class Limit:
    """At most ``per_window`` requests per subject in each window of ``window_seconds``;
    0 or less turns the limit off."""

    name: str
    per_window: int
    window_seconds: int


def limit_key(limit: Limit, subject: str, window: int) -> str:
    """The counter of ``subject`` in ``window``; the subject only as a keyed hash."""
    return f"{ROOT}:ratelimit:{limit.name}:{pseudonymous_id(limit.name, subject)}:{window}"


async def over_limit(client, limit: Limit, subject: str, now: Optional[float] = None) -> Optional[int]:
    """Count one request by ``subject``: None when within the limit, else whole seconds
    until its window ends (for ``Retry-After``)."""
    if limit.per_window <= 0:
        return None
    now = time.time() if now is None else now
    window = int(now // limit.window_seconds)
    key = limit_key(limit, subject, window)
    pipe = client.pipeline(transaction=False)
    pipe.incr(key)
    pipe.expire(key, limit.window_seconds + 1)
    count, _ = await pipe.execute()
    if count <= limit.per_window:
        return None
    return max(1, int((window + 1) * limit.window_seconds - now + 0.999))
