"""The widget's request limits: a flood is slowed down with a time to wait, and nothing
a person sends is lost on the way (real Redis, the real channel app)."""
from __future__ import annotations

import httpx
import pytest
import redis.asyncio as aioredis

from bot.channels.ratelimit import Limit, over_limit
from conftest import running_channel_app
from test_widget_api import say


def new_session(app) -> httpx.Response:
    return httpx.post(app.base + "/chat/api/session", timeout=10)


def assert_slowed(reply: httpx.Response, code: str, longest_wait: int) -> None:
    assert reply.status_code == 429
    assert reply.json()["error"] == code and reply.json()["message"]
    assert 1 <= int(reply.headers["retry-after"]) <= longest_wait
    assert reply.headers["cache-control"] == "no-store"


# --- the limiter on its own -------------------------------------------------------------

async def test_a_limit_counts_each_subject_over_a_sliding_window(redis_server, redis_client) -> None:
    client = aioredis.from_url(redis_server.url, decode_responses=True)
    limit = Limit("test-limit", 3, 10)
    try:
        answers = [await over_limit(client, limit, "10.0.0.1", now=1000.5 + i) for i in range(3)]
        assert answers == [None, None, None]  # at 1000.5, 1001.5 and 1002.5
        assert await over_limit(client, limit, "10.0.0.1", now=1009.0) == 2  # the first leaves at 1010.5
        assert await over_limit(client, limit, "10.0.0.1", now=1009.9) == 1  # refusals are not counted
        assert await over_limit(client, limit, "10.0.0.2", now=1009.9) is None  # another subject
        assert await over_limit(client, limit, "10.0.0.1", now=1010.6) is None  # one place free again
        assert await over_limit(client, limit, "10.0.0.1", now=1010.7) == 1  # and taken
        keys = await client.keys("fristad:ratelimit:*")
        assert len(keys) == 2 and not any("10.0.0" in key for key in keys)  # subjects only as keyed hashes
        assert all([0 < await client.pttl(key) <= 10_000 for key in keys])
    finally:
        await client.close()


async def test_a_limit_of_zero_is_off(redis_server, redis_client) -> None:
    client = aioredis.from_url(redis_server.url, decode_responses=True)
    try:
        assert all([await over_limit(client, Limit("off", 0, 60), "x") is None for _ in range(50)])
        assert await client.keys("fristad:ratelimit:*") == []
    finally:
        await client.close()


# --- the widget with its default limits --------------------------------------------------

def test_a_flooding_conversation_is_asked_to_wait_and_its_refused_message_is_not_lost(channel_app, redis_client) -> None:
    token = new_session(channel_app).json()["token"]
    for number in range(30):  # FRISTAD_WIDGET_MESSAGES_PER_MINUTE's default
        assert say(channel_app, token, f"message {number}").status_code == 200
    refused = say(channel_app, token, "one more", "m-31")
    assert_slowed(refused, "too_many_messages", 60)
    assert redis_client.llen("test:processed") == 30
    # The refused message was not marked as seen: sent again later, it is processed, not
    # dropped as a duplicate (here it is refused again, since the minute has not ended).
    assert say(channel_app, token, "one more", "m-31").status_code == 429
    assert len(redis_client.keys("fristad:seen:widget:*")) == 30
    # Someone else writing from the same address is answered.
    other = new_session(channel_app).json()["token"]
    assert say(channel_app, other, "hello").status_code == 200
    assert redis_client.llen("test:processed") == 31


# --- the widget with low limits per client address --------------------------------------

@pytest.fixture(scope="module")
def limited_app(redis_server, tmp_path_factory, fake_telegram, fake_twilio):
    settings = dict(FRISTAD_WIDGET_SESSIONS_PER_HOUR="2", FRISTAD_WIDGET_ADDRESS_MESSAGES_PER_MINUTE="3")
    with running_channel_app(redis_server, tmp_path_factory.mktemp("limited"), fake_telegram, fake_twilio, **settings) as app:
        yield app


def test_one_address_may_open_only_so_many_conversations_an_hour(limited_app, redis_client) -> None:
    assert new_session(limited_app).status_code == 200
    assert new_session(limited_app).status_code == 200
    assert_slowed(new_session(limited_app), "too_many_sessions", 3600)


def test_one_address_may_send_only_so_many_messages_a_minute_across_conversations(limited_app, redis_client) -> None:
    first, second = (new_session(limited_app).json()["token"] for _ in range(2))
    assert [say(limited_app, token, "hi").status_code for token in (first, first, second)] == [200, 200, 200]
    assert_slowed(say(limited_app, second, "hi again"), "too_many_messages", 60)
    assert redis_client.llen("test:processed") == 3
