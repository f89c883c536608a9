"""Live updates for one console over server-sent events.

Reads the global handoff event stream (ids and labels only, never message text) with
XREAD BLOCK and forwards what this counsellor may see: queue changes of their teams
and new messages in conversations they hold. Each loop also renews the counsellor's
leases and presence, so an open console is its own heartbeat; a closed one lets leases
expire and the counsellor count as gone.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Dict, Optional

from sanic.request import Request

from bot.handoff import keys, presence
from bot.handoff.queue import Counsellor, queue_for
from bot.storage.redis_client import get_async_redis

logger = logging.getLogger(__name__)

BLOCK_MS = 10_000
QUEUE_EVENTS = frozenset({"queued", "claimed", "expired", "released", "transferred", "resolved", "cancelled"})


def frame(kind: str, data: Dict, event_id: Optional[str] = None) -> str:
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def visible(fields: Dict[str, str], counsellor: Counsellor) -> Optional[Dict]:
    """The event as this counsellor may see it, or None."""
    kind, sender_id = fields.get("type"), fields.get("conversation", "")
    if kind == "message":
        state = await queue_for(get_async_redis()).state(sender_id)
        if state.get("state") == "assigned" and state.get("counsellor") == counsellor.name:
            return {"type": kind, "conversation": sender_id, "entry": fields.get("entry")}
        return None
    if kind in QUEUE_EVENTS:
        data = {"type": kind, "conversation": sender_id}
        for name in ("urgency", "team", "language", "outcome"):
            if name in fields:
                data[name] = fields[name]
        if kind == "queued":
            data["urgent"] = fields.get("urgency") in ("0", "1") and fields.get("team") in counsellor.teams
        return data
    return None


async def stream_events(request: Request, counsellor: Counsellor) -> None:
    client = get_async_redis()
    q = queue_for(client)
    stream = await request.respond(
        content_type="text/event-stream; charset=utf-8",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
    last = request.headers.get("last-event-id") or ""
    if not last or not all(part.isdigit() for part in last.split("-", 1)):
        # Start from the newest entry now ("$" would be resolved later, at each XREAD, and miss events).
        newest = await client.xrevrange(keys.EVENTS, count=1)
        last = newest[0][0] if newest else "0-0"
    try:
        await stream.send(frame("ready", {"lease_renewed": await q.heartbeat(counsellor.name)}))
        await presence.mark_present(client, counsellor.name, counsellor.teams)
        while True:
            found = await client.xread({keys.EVENTS: last}, count=100, block=BLOCK_MS)
            await q.heartbeat(counsellor.name)
            if not found:  # a quiet loop: at most once per BLOCK_MS (the page's heartbeat covers busy times)
                await presence.mark_present(client, counsellor.name, counsellor.teams)
                await stream.send(": keep-alive\n\n")
                continue
            for entry_id, fields in found[0][1]:
                last = entry_id
                data = await visible(fields, counsellor)
                if data is not None:
                    await stream.send(frame(data["type"], data, entry_id))
    except (asyncio.CancelledError, ConnectionError):
        raise
    except Exception as error:  # a broken stream ends quietly; the browser reconnects
        logger.info("console event stream ended: %s", type(error).__name__)
