"""Sliding-window request limits in Redis, for the widget: the one channel open to anyone.

Telegram and the SMS provider verify who sends; the widget's API answers any browser,
and a conversation token costs nothing to mint. These limits stop one script from
flooding the queue and the counsellors without slowing a person down: nobody types
thirty messages a minute. A request over a limit is refused with a time to wait, never
dropped; the widget waits and sends the same message again. Refused requests are not
counted, so waiting as told always works.

Each subject (a conversation's sender id, a client address) has a sorted set of the
times of its accepted requests in the last window, under a keyed hash of the subject;
it expires with the window.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Dict, Optional

from bot.privacy.pseudonym import pseudonymous_id
from bot.storage.keys import ROOT

# KEYS[1] the subject's set; ARGV: now (ms), window (ms), limit, a unique member.
# Returns 0 when the request is accepted (and counted), else the milliseconds to wait.
_HIT = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, window)
return 0
"""


_hit_scripts: Dict[int, Any] = {}  # the script registered once per client (then EVALSHA), as in bot.handoff.relay


@dataclass(frozen=True)
class Limit:
    """At most ``per_window`` requests per subject in any ``window_seconds``; 0 or less
    turns the limit off."""

    name: str
    per_window: int
    window_seconds: int


def limit_key(limit: Limit, subject: str) -> str:
    """The set of ``subject``'s recent requests; the subject only as a keyed hash."""
    return f"{ROOT}:ratelimit:{limit.name}:{pseudonymous_id(limit.name, subject)}"


async def over_limit(client, limit: Limit, subject: str, now: Optional[float] = None) -> Optional[int]:
    """Count one request by ``subject``: None when within the limit, else whole seconds
    until it would be (for ``Retry-After``)."""
    if limit.per_window <= 0:
        return None
    now_ms = int((time.time() if now is None else now) * 1000)
    member = f"{now_ms}-{os.urandom(6).hex()}"
    script = _hit_scripts.get(id(client))
    if script is None:
        script = _hit_scripts[id(client)] = client.register_script(_HIT)
    wait_ms = int(await script(keys=[limit_key(limit, subject)], args=[now_ms, limit.window_seconds * 1000, limit.per_window, member], client=client))
    return None if wait_ms <= 0 else max(1, -(-wait_ms // 1000))
