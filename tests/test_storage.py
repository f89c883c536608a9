"""Trackers in a real Redis: retention, and erasure when the person asks."""
from __future__ import annotations

from pathlib import Path

import pytest
import redis
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.settings import get_settings
from bot.storage.embedded_redis import EmbeddedRedis
from bot.storage.keys import conversation_key, tracker_key
from bot.storage.tracker_store import FristadTrackerStore


@pytest.fixture
def store(redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch, redis_server: EmbeddedRedis) -> FristadTrackerStore:
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setenv("FRISTAD_RETENTION_HOURS", "2")
    get_settings.cache_clear()
    yield FristadTrackerStore(Domain.empty())
    get_settings.cache_clear()


def conversation(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(UserUttered("hej", {"name": "greet", "confidence": 1.0}))
    tracker.update(BotUttered("Hej!"))
    return tracker


async def test_saved_trackers_expire_after_the_retention(store: FristadTrackerStore, redis_client: redis.Redis) -> None:
    await store.save(conversation("alice"))
    ttl = redis_client.ttl(tracker_key("alice"))
    assert 7000 < ttl <= 7200
    restored = await store.retrieve("alice")
    assert [e.text for e in restored.events if isinstance(e, UserUttered)] == ["hej"]


async def test_delete_data_erases_everything_of_that_conversation(store: FristadTrackerStore, redis_client: redis.Redis) -> None:
    await store.save(conversation("alice"))
    await store.save(conversation("bob"))
    redis_client.set(conversation_key("alice", "address"), "secret")
    redis_client.rpush(conversation_key("alice", "relay"), "x")
    tracker = conversation("alice")
    tracker.update(UserUttered("ja", {"name": "affirm", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_delete_data"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    assert [k for k in redis_client.scan_iter() if "alice" in k] == []
    assert redis_client.exists(tracker_key("bob"))


async def test_a_later_message_is_saved_normally(store: FristadTrackerStore, redis_client: redis.Redis) -> None:
    tracker = conversation("carol")
    tracker.update(ActionExecuted("action_delete_data"))
    tracker.update(UserUttered("hej igen", {"name": "greet", "confidence": 1.0}))
    await store.save(tracker)
    assert redis_client.exists(tracker_key("carol"))


def test_embedded_redis_keeps_data_across_a_restart(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path).start()
    client = redis.Redis.from_url(server.url)
    client.set("fristad:test", "kept")
    port = server.port
    server.stop()
    again = EmbeddedRedis(tmp_path, port=port).start()
    try:
        assert redis.Redis.from_url(again.url).get("fristad:test") == b"kept"
    finally:
        again.stop()
