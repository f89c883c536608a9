"""The handoff actions on a tracker, against a real Redis: queue place told, cancel withdraws."""
from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionCancelHuman, ActionInterpreterHandoff, ActionRequestHuman
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


def counsellor_at_console(client, name: str, teams, seconds_ago: float = 0) -> None:
    """What the console's login and heartbeat record (bot.handoff.presence), written directly."""
    import time

    for team in teams:
        client.zadd(keys.presence_key(team), {name: int((time.time() - seconds_ago) * 1000)})


async def test_request_human_tells_place_and_wait_then_cancel_withdraws(env):
    counsellor_at_console(env, "amal", ["county"])
    first, second = CollectingDispatcher(), CollectingDispatcher()
    assert await ActionRequestHuman().run(first, tracker("p1", "request_human"), {}) == []
    assert await ActionRequestHuman().run(second, tracker("p2", "request_human"), {}) == []
    assert [m["response"] for m in second.messages] == ["utter_human_requested", "utter_queue_position"]
    assert second.messages[1]["queue_position"] == 2 and second.messages[1]["wait_minutes"] == 10
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


async def test_the_wait_is_shared_among_the_counsellors_at_the_console(env):
    for name in ("amal", "bo", "cecilia"):
        counsellor_at_console(env, name, ["county"])
    for number in range(1, 7):
        told = CollectingDispatcher()
        await ActionRequestHuman().run(told, tracker(f"q{number}", "request_human"), {})
        assert told.messages[1]["queue_position"] == number
        assert told.messages[1]["wait_minutes"] == (5 if number <= 3 else 10)


async def test_with_nobody_at_the_console_no_wait_is_promised(env):
    counsellor_at_console(env, "gone", ["county"], seconds_ago=61)  # closed the console a minute ago
    counsellor_at_console(env, "youth.only", ["youth"])  # present, but for children
    told = CollectingDispatcher()
    await ActionRequestHuman().run(told, tracker("n1", "request_human"), {})
    assert [m["response"] for m in told.messages] == ["utter_no_counsellor_online"]
    assert told.messages[0]["queue_position"] == 1
    assert env.zrange(keys.team_queue("county"), 0, -1) == ["n1"]  # the place is kept all the same
    # A child goes to the youth service, where someone is present.
    child = CollectingDispatcher()
    await ActionRequestHuman().run(child, tracker("n2", "minor"), {})
    assert [m["response"] for m in child.messages] == ["utter_human_requested", "utter_queue_position"]


async def test_a_tier_two_person_hears_only_their_language_whoever_is_at_the_console(env):
    from bot.nlg.catalog import get_catalog

    def rendered(dispatcher, language):
        return [get_catalog().render(m["response"], language, m).language for m in dispatcher.messages]

    night = CollectingDispatcher()
    await ActionInterpreterHandoff().run(night, tracker("t1", "need_interpreter", language="tr"), {})
    assert [m["response"] for m in night.messages] == ["utter_no_counsellor_online"]
    assert rendered(night, "tr") == ["tr"]
    counsellor_at_console(env, "amal", ["county"])
    day = CollectingDispatcher()
    await ActionInterpreterHandoff().run(day, tracker("t2", "need_interpreter", language="tr"), {})
    assert [m["response"] for m in day.messages] == ["utter_interpreter", "utter_emergency"]
    assert rendered(day, "tr") == ["tr", "tr"]
    assert env.zrange(keys.team_queue("county"), 0, -1) == ["t1", "t2"]
