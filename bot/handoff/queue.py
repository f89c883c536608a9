"""The handoff queue and state machine of each conversation, in Redis.

``bot -> queued -> assigned -> (transferred) -> bot | closed``. Every transition is
one Lua script (``bot.handoff.scripts``), so concurrent consoles and bot processes
never see a half-made change. A claim is a lease: the console renews it with its
heartbeat; ``sweep`` (run on every queue read and heartbeat) puts conversations
whose lease ran out back at the head of their queue, history intact.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence

import redis.asyncio as aioredis

from bot.handoff import keys, scripts
from bot.handoff.requests import HandoffRequest
from bot.settings import get_settings

logger = logging.getLogger(__name__)

WAITING_STATES = frozenset({"queued", "transferred"})
HUMAN_STATES = WAITING_STATES | {"assigned"}
SWEEP_BATCH = 200
SWEEP_INTERVAL_SECONDS = 1.0  # implicit sweeps (on reads, claims, heartbeats) at most this often per process


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Counsellor:
    """Who claims: a login name, the first name or alias the person sees, teams, languages."""

    name: str
    alias: str
    teams: Sequence[str]
    languages: Sequence[str]


class HandoffQueue:
    """All handoff transitions for one async Redis client."""

    def __init__(self, client: aioredis.Redis) -> None:
        self.client = client
        self._enqueue = client.register_script(scripts.ENQUEUE)
        self._claim = client.register_script(scripts.CLAIM)
        self._claim_next = client.register_script(scripts.CLAIM_NEXT)
        self._sweep = client.register_script(scripts.SWEEP)
        self._heartbeat = client.register_script(scripts.HEARTBEAT)
        self._hand_on = client.register_script(scripts.HAND_ON)
        self._resolve = client.register_script(scripts.RESOLVE)
        self._cancel = client.register_script(scripts.CANCEL)
        self._last_sweep = 0.0

    async def _maybe_sweep(self) -> None:
        """Leases are counted in tens of seconds; sweeping once a second is plenty."""
        if time.monotonic() - self._last_sweep >= SWEEP_INTERVAL_SECONDS:
            await self.sweep()

    @staticmethod
    def _base() -> List[str]:
        return [keys.HANDOFF_ROOT, keys.CONV_PREFIX, keys.STATE_SUFFIX]

    @staticmethod
    def _lease_until() -> int:
        return now_ms() + get_settings().lease_seconds * 1000

    async def publish(self, kind: str, sender_id: str, **fields: Any) -> None:
        """Tell every console something changed. Ids and labels only, never message text."""
        entry = {"type": kind, "conversation": sender_id, **{k: str(v) for k, v in fields.items() if v is not None}}
        await self.client.xadd(keys.EVENTS, entry, maxlen=keys.EVENTS_MAXLEN, approximate=True)

    async def enqueue(self, request: HandoffRequest, *, enqueued_ms: Optional[int] = None) -> Optional[int]:
        """Put the conversation in its team's queue (idempotent; a more urgent request moves it up).

        Returns the place in the queue, or None when a counsellor already holds it.
        """
        enq = enqueued_ms if enqueued_ms is not None else now_ms()
        status, position = await self._enqueue(
            args=self._base() + [
                request.sender_id, request.team, request.language or "en", str(int(request.urgency)),
                request.topic or "", request.channel, str(enq), f"{enq:013d}", str(get_settings().retention_seconds),
            ]
        )
        if status == "assigned":
            return None
        await self.publish("queued", request.sender_id, team=request.team, urgency=request.urgency, language=request.language)
        return int(position)

    async def claim(self, sender_id: str, counsellor: Counsellor) -> str:
        """'ok', 'already_yours', 'not_waiting' or 'not_your_team'. Atomic: one winner."""
        result = await self._claim(
            args=self._base() + [sender_id, counsellor.name, counsellor.alias, str(self._lease_until()), *counsellor.teams]
        )
        return result  # the script announced the claim to consoles

    async def claim_next(self, counsellor: Counsellor) -> Optional[str]:
        """The most urgent, longest-waiting conversation of the counsellor's teams,
        preferring one in a language they speak at the same urgency."""
        await self._maybe_sweep()
        sender_id = await self._claim_next(
            args=self._base() + [
                counsellor.name, counsellor.alias, str(self._lease_until()), str(len(counsellor.teams)),
                *counsellor.teams, *counsellor.languages,
            ]
        )
        return sender_id or None  # the script announced the claim to consoles

    async def sweep(self) -> List[str]:
        """Return conversations whose lease expired to the head of their queue."""
        self._last_sweep = time.monotonic()
        back = await self._sweep(args=self._base() + [str(now_ms()), str(SWEEP_BATCH)])
        for sender_id in back:
            logger.info("lease expired; conversation back in the queue")
            await self.publish("expired", sender_id)
        return list(back)

    async def heartbeat(self, counsellor_name: str) -> int:
        """Renew every lease the counsellor holds; returns how many."""
        renewed = await self._heartbeat(args=self._base() + [counsellor_name, str(self._lease_until())])
        await self._maybe_sweep()
        return int(renewed)

    async def release(self, sender_id: str, counsellor_name: str) -> bool:
        ok = await self._hand_on(args=self._base() + [sender_id, counsellor_name, "release", ""]) == "ok"
        if ok:
            await self.publish("released", sender_id)
        return ok

    async def transfer(self, sender_id: str, counsellor_name: str, *, team: Optional[str] = None, to: Optional[str] = None) -> bool:
        """Hand the conversation to a team's queue or to one counsellor by name."""
        kind, target = ("team", team) if team else ("counsellor", to)
        if not target:
            raise ValueError("transfer needs a team or a counsellor")
        ok = await self._hand_on(args=self._base() + [sender_id, counsellor_name, kind, target]) == "ok"
        if ok:
            await self.publish("transferred", sender_id, team=team, to=to)
        return ok

    async def resolve(self, sender_id: str, counsellor_name: str, outcome: str = "bot") -> bool:
        """Back to the bot, or closed. Only the holder may."""
        if outcome not in ("bot", "closed"):
            raise ValueError("outcome must be 'bot' or 'closed'")
        ok = await self._resolve(args=self._base() + [sender_id, counsellor_name, outcome]) == "ok"
        if ok:
            await self.publish("resolved", sender_id, outcome=outcome)
        return ok

    async def cancel(self, sender_id: str) -> bool:
        """The person withdrew the request while waiting."""
        ok = bool(await self._cancel(args=self._base() + [sender_id]))
        if ok:
            await self.publish("cancelled", sender_id)
        return ok

    async def state(self, sender_id: str) -> Dict[str, str]:
        return await self.client.hgetall(keys.state_key(sender_id))

    async def holds(self, sender_id: str, counsellor_name: str) -> bool:
        state = await self.state(sender_id)
        return state.get("state") == "assigned" and state.get("counsellor") == counsellor_name

    async def held_by(self, counsellor_name: str) -> List[str]:
        return sorted(await self.client.smembers(keys.held_set(counsellor_name)))

    async def waiting(self, teams: Iterable[str], counsellor_name: Optional[str] = None, limit: int = 200) -> List[Dict[str, Any]]:
        """Queue summaries, most urgent and longest waiting first."""
        await self._maybe_sweep()
        entries: Dict[str, float] = {}
        queue_keys = [keys.team_queue(t) for t in teams]
        if counsellor_name:
            queue_keys.append(keys.direct_queue(counsellor_name))
        for key in queue_keys:
            for sender_id, score in await self.client.zrange(key, 0, limit - 1, withscores=True):
                entries[sender_id] = min(score, entries.get(sender_id, score))
        ordered = sorted(entries.items(), key=lambda item: item[1])[:limit]
        pipe = self.client.pipeline(transaction=False)
        for sender_id, _ in ordered:
            pipe.hgetall(keys.state_key(sender_id))
        states = await pipe.execute()
        now = now_ms()
        summaries = []
        for (sender_id, _), state in zip(ordered, states):
            if state.get("state") not in WAITING_STATES:
                continue
            summaries.append({
                "id": sender_id,
                "urgency": int(state.get("urgency", 2)),
                "team": state.get("team"),
                "language": state.get("language"),
                "topic": state.get("topic") or None,
                "state": state.get("state"),
                "transferred_to_you": bool(counsellor_name and state.get("direct") == counsellor_name),
                "waiting_seconds": max(0, (now - int(state.get("enqueued_ms", now))) // 1000),
            })
        return summaries


_queues: Dict[int, HandoffQueue] = {}


def queue_for(client: aioredis.Redis) -> HandoffQueue:
    """One HandoffQueue (with its loaded scripts) per client."""
    found = _queues.get(id(client))
    if found is None or found.client is not client:
        found = _queues[id(client)] = HandoffQueue(client)
    return found
