"""What the person and the Rasa tracker see when a counsellor acts.

Every text to the person comes from translations/ (``render``), goes out through the
person's channel (``bot.channels.outbound``), is kept in the relay history, and is
recorded in the tracker as ``BotUttered`` so the conversation's history is whole.
Tracker changes happen under Rasa's lock store, like a Rasa turn.
"""
from __future__ import annotations

import functools
import inspect
import logging
from typing import Any, Dict, Iterable, List, Optional

import redis.asyncio as aioredis
from rasa.shared.core.events import BotUttered, ConversationPaused, ConversationResumed, Event

from bot.channels import outbound
from bot.handoff import keys, relay
from bot.nlg.catalog import Catalog, Rendered, get_catalog
from bot.settings import get_settings

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def catalog() -> Catalog:
    return get_catalog()


async def append_to_tracker(agent: Any, sender_id: str, events: Iterable[Event]) -> None:
    """Append events to the conversation's tracker under the Rasa lock (no-op without an agent)."""
    if agent is None or getattr(agent, "tracker_store", None) is None:
        return
    events = list(events)
    async with agent.lock_store.lock(sender_id):
        tracker = agent.tracker_store.get_or_create_tracker(sender_id)
        if inspect.isawaitable(tracker):
            tracker = await tracker
        for event in events:
            tracker.update(event)
        saved = agent.tracker_store.save(tracker)
        if inspect.isawaitable(saved):
            await saved


async def send(client: aioredis.Redis, sender_id: str, channel: str, text: str, buttons: Optional[List[Dict[str, Any]]] = None) -> bool:
    """Push to the person's channel. A channel without an outbound sender (unit tests, or a
    channel that cannot push) is logged without the text; the message stays in the relay history."""
    try:
        await outbound.send_to_person(channel, sender_id, text, buttons)
        return True
    except LookupError:
        logger.warning("no outbound sender for channel %s; message kept in the relay history", channel)
    except Exception as error:  # a channel's network failure must not lose the console's action
        logger.error("outbound send on %s failed: %s", channel, type(error).__name__)
    return False


async def tell_person(
    client: aioredis.Redis, agent: Any, sender_id: str, state: Dict[str, str], key: str, variables: Optional[Dict[str, Any]] = None,
    *, leading_events: Iterable[Event] = (),
) -> Rendered:
    """A bot text (from translations/) to the person, in their language, recorded everywhere."""
    rendered = catalog().render(key, state.get("language"), variables)
    await append_to_tracker(agent, sender_id, [*leading_events, BotUttered(rendered.text, {"buttons": rendered.buttons or None}, {"language": rendered.language, "handoff": key})])
    await relay.record(client, sender_id, "bot", rendered.text, key=key, language=rendered.language)
    await send(client, sender_id, state.get("channel") or "rest", rendered.text, rendered.buttons or None)
    return rendered


async def counsellor_joined(client: aioredis.Redis, agent: Any, sender_id: str, state: Dict[str, str], alias: str) -> None:
    """Pause the bot, then tell the person who joined (first name or alias only)."""
    await tell_person(client, agent, sender_id, state, "utter_counsellor_joined", {"counsellor_name": alias}, leading_events=[ConversationPaused()])


async def counsellor_left(client: aioredis.Redis, agent: Any, sender_id: str, state: Dict[str, str]) -> None:
    """The bot is back: resume it and say so."""
    await tell_person(client, agent, sender_id, state, "utter_counsellor_left", leading_events=[ConversationResumed()])


async def counsellor_reply(client: aioredis.Redis, agent: Any, sender_id: str, state: Dict[str, str], text: str, alias: str, *, key: Optional[str] = None) -> str:
    """A counsellor's words to the person; returns the relay entry id."""
    language = state.get("language")
    await append_to_tracker(agent, sender_id, [BotUttered(text, {}, {"counsellor": alias, "language": language})])
    entry = await relay.record(client, sender_id, "counsellor", text, alias=alias, key=key)
    await send(client, sender_id, state.get("channel") or "rest", text)
    return entry


async def rest_outbox(sender_id: str, text: str, buttons: Optional[List[Dict[str, Any]]] = None) -> None:
    """Outbound sender for the REST channel, which cannot push: the text is kept in a
    per-conversation list (with the conversation's retention) for a client to fetch."""
    from bot.storage.redis_client import get_async_redis

    client = get_async_redis()
    pipe = client.pipeline(transaction=True)
    pipe.rpush(keys.outbox_key(sender_id), text)
    pipe.ltrim(keys.outbox_key(sender_id), -200, -1)
    pipe.expire(keys.outbox_key(sender_id), get_settings().retention_seconds)
    await pipe.execute()
