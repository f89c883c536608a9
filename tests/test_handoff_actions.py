"""The handoff actions on a tracker, against a real Redis: queue place told, cancel withdraws."""
from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionCancelHuman, ActionRequestHuman
from bot.handoff import keys
from bot.settings import get_settings
from bot.storage import redis_client as redis_client_module


@pytest.fixture
def env(redis_server, redis_client, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setattr(redis_client_module, "_async_clients", {})
    get_settings.cache_clear()
    yield redis_client
    get_settings.cache_clear()


def tracker(sender_id: str, intent: str, language: str = "ar") -> Tracker:
    events = [{"event": "user", "text": "x", "parse_data": {"intent": {"name": intent}}, "input_channel": "rest"}]
    return Tracker(sender_id, {"language": language}, {"intent": {"name": intent}}, events, False, None, {}, "rest")


async def test_request_human_tells_place_and_wait_then_cancel_withdraws(env):
    first, second = CollectingDispatcher(), CollectingDispatcher()
    assert await ActionRequestHuman().run(first, tracker("p1", "request_human"), {}) == []
    assert await ActionRequestHuman().run(second, tracker("p2", "request_human"), {}) == []
    assert [m["response"] for m in second.messages] == ["utter_human_requested", "utter_queue_position"]
    assert second.messages[1]["queue_position"] == 2 and second.messages[1]["wait_minutes"] >= 1
    assert env.hget(keys.state_key("p2"), "language") == "ar"
    # Danger goes to the front, at once.
    danger = CollectingDispatcher()
    await ActionRequestHuman().run(danger, tracker("p3", "emergency"), {})
    assert danger.messages[1]["queue_position"] == 1
    assert env.hget(keys.state_key("p3"), "urgency") == "0"
    cancel = CollectingDispatcher()
    await ActionCancelHuman().run(cancel, tracker("p1", "cancel_human"), {})
    assert [m["response"] for m in cancel.messages] == ["utter_handoff_cancelled"]
    assert env.hget(keys.state_key("p1"), "state") == "bot"
    assert env.zrange(keys.team_queue("county"), 0, -1) == ["p3", "p2"]
