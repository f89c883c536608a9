"""The handoff queue and relay against a real Redis: atomic claims, leases, relay, restart, erasure."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.handoff import keys, relay
from bot.handoff.erase import forget_conversation
from bot.handoff.queue import Counsellor, HandoffQueue, queue_for
from bot.handoff.requests import HandoffRequest
from bot.privacy.erasure import erase_conversation
from bot.settings import get_settings
from bot.storage import redis_client as redis_client_module
from bot.storage.embedded_redis import EmbeddedRedis

AMAL = Counsellor("amal", "Amal", ["youth", "county"], ["ar", "sv"])
BEA = Counsellor("bea", "Bea", ["county"], ["sv", "en"])


@pytest.fixture
def env(redis_server, monkeypatch):
    """Settings pointing at the test Redis, fresh per test."""
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setattr(redis_client_module, "_async_clients", {})
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
async def aclient(redis_client, redis_server, env) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_server.url, decode_responses=True)
    yield client
    await client.aclose() if hasattr(client, "aclose") else await client.close()


def request(sender_id: str, *, team: str = "county", language: str = "ar", urgency: int = 2, topic: str = "legal_help") -> HandoffRequest:
    return HandoffRequest(sender_id=sender_id, channel="rest", language=language, urgency=urgency, topic=topic, team=team)


async def test_fifty_concurrent_claims_of_one_conversation_exactly_one_wins(aclient, redis_server):
    await queue_for(aclient).enqueue(request("c1"))
    # 50 consoles, each with its own connection, claim at once.
    clients = [aioredis.Redis.from_url(redis_server.url, decode_responses=True) for _ in range(50)]
    try:
        counsellors = [Counsellor(f"c{i}", f"C{i}", ["county"], ["ar"]) for i in range(50)]
        results = await asyncio.gather(*(HandoffQueue(c).claim("c1", who) for c, who in zip(clients, counsellors)))
    finally:
        for c in clients:
            await c.close()
    assert results.count("ok") == 1
    assert results.count("not_waiting") == 49
    winner = counsellors[results.index("ok")].name
    state = await queue_for(aclient).state("c1")
    assert state["state"] == "assigned" and state["counsellor"] == winner
    assert await aclient.zcard(keys.team_queue("county")) == 0


async def test_fifty_concurrent_claim_next_hand_out_each_conversation_once(aclient, redis_server):
    q = queue_for(aclient)
    for i in range(30):
        await q.enqueue(request(f"s{i}"))
    clients = [aioredis.Redis.from_url(redis_server.url, decode_responses=True) for _ in range(50)]
    try:
        got = await asyncio.gather(*(HandoffQueue(c).claim_next(Counsellor(f"k{i}", "K", ["county"], ["ar"])) for i, c in enumerate(clients)))
    finally:
        for c in clients:
            await c.close()
    claimed = [g for g in got if g]
    assert sorted(claimed) == sorted(f"s{i}" for i in range(30))
    assert got.count(None) == 20


async def test_queue_order_is_urgency_then_waiting_time_and_language_preference(aclient):
    q = queue_for(aclient)
    t = int(time.time() * 1000)
    assert await q.enqueue(request("old-normal-ru", language="ru"), enqueued_ms=t - 5000) == 1
    assert await q.enqueue(request("new-normal-ar", language="ar"), enqueued_ms=t - 1000) == 2
    assert await q.enqueue(request("minor", urgency=1, language="ru"), enqueued_ms=t) == 1
    summaries = await q.waiting(["county"])
    assert [s["id"] for s in summaries] == ["minor", "old-normal-ru", "new-normal-ar"]
    assert summaries[0]["urgency"] == 1 and summaries[1]["language"] == "ru"
    # Amal speaks Arabic, not Russian: the minor comes first anyway (more urgent) ...
    assert await q.claim_next(AMAL) == "minor"
    # ... then, at equal urgency, the Arabic speaker even though the Russian one waited longer.
    assert await q.claim_next(AMAL) == "new-normal-ar"
    assert await q.claim_next(BEA) == "old-normal-ru"
    assert await q.claim_next(BEA) is None


async def test_more_urgent_request_moves_a_waiting_conversation_up(aclient):
    q = queue_for(aclient)
    t = int(time.time() * 1000)
    await q.enqueue(request("a"), enqueued_ms=t - 1000)
    await q.enqueue(request("b"), enqueued_ms=t)
    assert await q.enqueue(request("b", urgency=0)) == 1
    assert [s["id"] for s in await q.waiting(["county"])] == ["b", "a"]


async def test_claim_respects_teams(aclient):
    q = queue_for(aclient)
    await q.enqueue(request("shelter-1", team="shelter"))
    assert await q.claim("shelter-1", AMAL) == "not_your_team"
    assert await q.claim_next(AMAL) is None
    assert await q.claim("shelter-1", Counsellor("sara", "Sara", ["shelter"], [])) == "ok"


async def test_expired_lease_returns_conversation_to_head_of_queue_with_history(aclient, monkeypatch):
    monkeypatch.setenv("FRISTAD_LEASE_SECONDS", "1")
    get_settings.cache_clear()
    q = queue_for(aclient)
    t = int(time.time() * 1000)
    await q.enqueue(request("waited-longer"), enqueued_ms=t - 60_000)
    await q.enqueue(request("lost"), enqueued_ms=t)
    assert await q.claim("lost", AMAL) == "ok"
    await relay.record(aclient, "lost", "counsellor", "hello", alias="Amal")
    assert await relay.relay_to_console(aclient, "lost", "are you there?", channel="rest", message_id="m1")
    await asyncio.sleep(1.1)
    assert await q.sweep() == ["lost"]
    state = await q.state("lost")
    assert state["state"] == "queued" and "counsellor" not in state and state["previous_counsellor"] == "amal"
    assert [s["id"] for s in await q.waiting(["county"])] == ["lost", "waited-longer"]
    assert [e["text"] for e in await relay.history(aclient, "lost")] == ["hello", "are you there?"]
    assert await q.held_by("amal") == []
    # The counsellor's heartbeat no longer covers it; the next one to claim gets the history.
    assert await q.heartbeat("amal") == 0
    assert await q.claim_next(BEA) == "lost"


async def test_heartbeat_keeps_the_lease(aclient, monkeypatch):
    monkeypatch.setenv("FRISTAD_LEASE_SECONDS", "1")
    get_settings.cache_clear()
    q = queue_for(aclient)
    await q.enqueue(request("kept"))
    assert await q.claim_next(AMAL) == "kept"
    for _ in range(3):
        await asyncio.sleep(0.5)
        assert await q.heartbeat("amal") == 1
    assert await q.sweep() == []
    assert await q.holds("kept", "amal")


async def test_message_sent_while_counsellor_is_disconnected_is_there_when_they_return(aclient, redis_server):
    q = queue_for(aclient)
    await q.enqueue(request("p1"))
    assert await q.claim("p1", AMAL) == "ok"
    last_seen = (await aclient.xrevrange(keys.EVENTS, count=1))[0][0]
    # The console is gone; another bot process relays two messages (one delivered twice).
    other = aioredis.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        assert await relay.relay_to_console(other, "p1", "first", channel="rest", message_id="a")
        assert await relay.relay_to_console(other, "p1", "second", channel="rest", message_id="b")
        assert await relay.relay_to_console(aclient, "p1", "first", channel="rest", message_id="a")  # retry elsewhere
    finally:
        await other.close()
    assert [e["text"] for e in await relay.history(aclient, "p1")] == ["first", "second"]
    assert (await q.state("p1"))["unread"] == "2"
    events = await aclient.xread({keys.EVENTS: last_seen})
    messages = [f for _, f in events[0][1] if f["type"] == "message"]
    assert len(messages) == 2 and all("text" not in f for f in messages)


async def test_not_relayed_when_the_bot_holds_the_conversation(aclient):
    assert not await relay.relay_to_console(aclient, "nobody", "hi", channel="rest", message_id="x")
    assert await relay.history(aclient, "nobody") == []


async def test_relay_person_message_entry_point_uses_settings_redis(aclient):
    await queue_for(aclient).enqueue(request("entry"))
    assert await relay.relay_person_message("entry", "hej", channel="rest", message_id="1")
    assert [e["text"] for e in await relay.history(aclient, "entry")] == ["hej"]


async def test_only_the_holder_can_release_transfer_or_resolve(aclient):
    q = queue_for(aclient)
    await q.enqueue(request("h1"))
    assert await q.claim("h1", AMAL) == "ok"
    assert not await q.release("h1", "bea")
    assert not await q.transfer("h1", "bea", team="shelter")
    assert not await q.resolve("h1", "bea")
    assert await q.holds("h1", "amal")


async def test_transfer_to_team_and_to_counsellor_then_resolve(aclient):
    q = queue_for(aclient)
    await q.enqueue(request("t1"))
    assert await q.claim("t1", AMAL) == "ok"
    assert await q.transfer("t1", "amal", team="shelter")
    state = await q.state("t1")
    assert state["state"] == "transferred" and state["team"] == "shelter"
    sara = Counsellor("sara", "Sara", ["shelter"], ["en"])
    assert await q.claim_next(sara) == "t1"
    assert await q.transfer("t1", "sara", to="bea")
    assert await q.claim_next(AMAL) is None  # transferred to Bea by name, not to a team
    assert [s["id"] for s in await q.waiting(["county"], "bea")] == ["t1"]
    assert await q.claim_next(BEA) == "t1"
    assert await q.release("t1", "bea")
    assert await q.claim("t1", BEA) == "not_your_team"  # back in the shelter queue
    assert await q.claim("t1", sara) == "ok"
    assert await q.resolve("t1", "sara", "closed")
    assert (await q.state("t1"))["state"] == "closed"
    assert await q.held_by("sara") == []


async def test_cancel_only_while_waiting(aclient):
    q = queue_for(aclient)
    await q.enqueue(request("x1"))
    assert await q.cancel("x1")
    assert await q.waiting(["county"]) == []
    assert not await q.cancel("x1")
    await q.enqueue(request("x1"))
    await q.claim("x1", AMAL)
    assert not await q.cancel("x1")


async def test_erasure_removes_every_trace(aclient, redis_client):
    q = queue_for(aclient)
    await q.enqueue(request("gone"))
    await q.enqueue(request("stays"))
    await q.claim("gone", AMAL)
    await relay.relay_to_console(aclient, "gone", "secret", channel="rest", message_id="m")
    erase_conversation(redis_client, "gone")
    leftovers = [k for k in redis_client.scan_iter("*") if "gone" in k]
    assert leftovers == []
    for key in redis_client.scan_iter("fristad:handoff:*"):
        kind = redis_client.type(key)
        members = {
            "zset": lambda: redis_client.zrange(key, 0, -1), "set": lambda: redis_client.smembers(key),
            "stream": lambda: [f.get("conversation") for _, f in redis_client.xrange(key)],
        }[kind]()
        assert "gone" not in members
    assert [s["id"] for s in await q.waiting(["county"])] == ["stays"]
    assert forget_conversation(redis_client, "gone") == 0


async def test_redis_restart_keeps_queue_assignments_and_relay_history(tmp_path: Path, env):
    server = EmbeddedRedis(tmp_path / "redis").start()
    try:
        client = aioredis.Redis.from_url(server.url, decode_responses=True)
        q = HandoffQueue(client)
        await q.enqueue(request("waiting-1"))
        await q.enqueue(request("held-1"))
        assert await q.claim("held-1", AMAL) == "ok"
        await relay.relay_to_console(client, "held-1", "still here", channel="rest", message_id="r1")
        await client.close()
    finally:
        server.stop()
    port = server.port
    server = EmbeddedRedis(tmp_path / "redis", port=port).start()
    try:
        client = aioredis.Redis.from_url(server.url, decode_responses=True)
        q = HandoffQueue(client)
        assert [s["id"] for s in await q.waiting(["county"])] == ["waiting-1"]
        assert await q.holds("held-1", "amal")
        assert await q.held_by("amal") == ["held-1"]
        assert [e["text"] for e in await relay.history(client, "held-1")] == ["still here"]
        assert not await relay.relay_to_console(client, "unknown", "x", channel="rest", message_id="r1")
        await client.close()
    finally:
        server.stop()


async def test_the_place_told_matches_the_queue_order_when_requests_tie(aclient):
    """Two requests in the same millisecond: the second is told place 2, as claims will take them."""
    q = queue_for(aclient)
    assert await q.enqueue(request("tie-a"), enqueued_ms=1_700_000_000_000) == 1
    assert await q.enqueue(request("tie-b"), enqueued_ms=1_700_000_000_000) == 2
    assert await aclient.zrange(keys.team_queue("county"), 0, -1) == ["tie-a", "tie-b"]
