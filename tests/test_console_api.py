"""The console's JSON API on a real Sanic server (the ConsoleInput blueprint) and a real Redis."""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
import json
import subprocess
import sys
from typing import AsyncIterator, Dict, List, Tuple

import httpx
import pytest
from sanic import Sanic

from bot.channels import outbound
from bot.console import accounts
from bot.console.channel import ConsoleInput
from bot.handoff import relay
from bot.handoff.queue import queue_for
from bot.handoff.requests import HandoffRequest
from bot.settings import PROJECT_ROOT, get_settings
from bot.storage import redis_client as redis_client_module
from bot.storage.embedded_redis import free_port

PASSWORD = "correct horse battery"
_app_counter = 0


@pytest.fixture
def env(redis_server, redis_client, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setattr(redis_client_module, "_async_clients", {})
    get_settings.cache_clear()
    redis_client_module.get_redis.cache_clear()
    yield redis_client
    get_settings.cache_clear()
    redis_client_module.get_redis.cache_clear()


@pytest.fixture
def sent(monkeypatch) -> List[Tuple[str, str, str]]:
    """What reached the person: a recording outbound sender for 'rest' (the real REST
    channel cannot push); 'widget' stays unregistered to exercise the LookupError path."""
    log: List[Tuple[str, str, str]] = []
    senders = dict(outbound._SENDERS)
    monkeypatch.setattr(outbound, "_SENDERS", senders)

    async def record(sender_id, text, buttons=None):
        log.append(("rest", sender_id, text))

    ConsoleInput().blueprint(None)  # registers the default REST outbox sender ...
    assert "rest" in senders
    senders["rest"] = record  # ... which this test replaces to see the texts
    senders.pop("widget", None)
    return log


@pytest.fixture
async def base(env, sent, monkeypatch) -> AsyncIterator[str]:
    global _app_counter
    monkeypatch.setattr(Sanic, "test_mode", True)  # lets several apps start in one process
    _app_counter += 1
    app = Sanic(f"console_test_{_app_counter}")
    app.ctx.agent = None
    app.blueprint(ConsoleInput().blueprint(None), url_prefix="/console")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    yield f"http://127.0.0.1:{port}"
    server.close()
    await server.wait_closed()


def add(redis_client, name: str, teams=("county", "youth"), languages=("ar", "sv")) -> None:
    accounts.add_counsellor(redis_client, name, PASSWORD, teams=list(teams), languages=list(languages))


@asynccontextmanager
async def logged_in(base: str, name: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base) as client:
        reply = await client.post("/console/api/login", json={"name": name, "password": PASSWORD})
        assert reply.status_code == 200, reply.text
        yield client


async def enqueue(sender_id: str, *, channel: str = "rest", urgency: int = 2, team: str = "county", language: str = "ar") -> None:
    from bot.storage.redis_client import get_async_redis

    await queue_for(get_async_redis()).enqueue(
        HandoffRequest(sender_id=sender_id, channel=channel, language=language, urgency=urgency, topic="legal_help", team=team)
    )


async def test_page_is_served_with_a_strict_policy_and_nothing_third_party(base):
    async with httpx.AsyncClient(base_url=base) as client:
        page = await client.get("/console/")
        assert page.status_code == 200
        csp = page.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        for name in ("console.js", "console.css"):
            asset = await client.get(f"/console/static/{name}")
            assert asset.status_code == 200
            assert "http://" not in asset.text and "https://" not in asset.text
            assert "innerHTML" not in asset.text
        assert "<script>" not in page.text and "style=" not in page.text and "https://" not in page.text
        assert (await client.get("/console/static/..%2Fapi.py")).status_code == 404


async def test_every_route_needs_a_login(base):
    async with httpx.AsyncClient(base_url=base) as client:
        for method, path in [
            ("GET", "/queue"), ("GET", "/events"), ("POST", "/heartbeat"), ("POST", "/conversations/x/claim"),
            ("GET", "/conversations/x"), ("POST", "/conversations/x/messages"), ("POST", "/conversations/x/notes"),
            ("POST", "/conversations/x/transfer"), ("POST", "/conversations/x/release"), ("POST", "/conversations/x/resolve"),
        ]:
            reply = await client.request(method, "/console/api" + path, json={})
            assert reply.status_code == 401, (method, path)


async def test_login_sets_a_strict_cookie_and_logout_ends_the_session(base, env):
    add(env, "amal")
    async with httpx.AsyncClient(base_url=base) as client:
        reply = await client.post("/console/api/login", json={"name": "amal", "password": PASSWORD})
        assert reply.status_code == 200 and reply.json()["alias"] == "Amal"
        cookie = reply.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie
        assert (await client.get("/console/api/queue")).status_code == 200
        assert (await client.post("/console/api/logout")).status_code == 200
        client.cookies.clear()
        assert (await client.get("/console/api/queue")).status_code == 401
    stored = await env_hash(env, "amal")
    assert stored.startswith("scrypt$") and PASSWORD not in stored


async def test_a_counsellor_is_present_from_login_through_heartbeats_until_logout(base, env):
    from bot.handoff import keys, presence
    from bot.storage.redis_client import get_async_redis

    add(env, "amal", teams=("county", "youth"))
    add(env, "bo", teams=("shelter",))
    count = lambda team: presence.present_count(get_async_redis(), team)  # noqa: E731
    assert [await count(t) for t in ("county", "youth", "shelter")] == [0, 0, 0]
    async with logged_in(base, "amal") as client:
        assert [await count(t) for t in ("county", "youth", "shelter")] == [1, 1, 0]
        # Silent past PRESENCE_SECONDS: gone; the next heartbeat brings the counsellor back.
        later = presence._now_ms() + (presence.PRESENCE_SECONDS + 1) * 1000
        assert await presence.present_count(get_async_redis(), "county", now_ms=later) == 0
        env.zadd(keys.presence_key("county"), {"amal": 0})
        assert await count("county") == 0
        assert (await client.post("/console/api/heartbeat")).status_code == 200
        assert await count("county") == 1
        assert (await client.post("/console/api/logout")).status_code == 200
        assert [await count(t) for t in ("county", "youth")] == [0, 0]


async def env_hash(sync_client, name: str) -> str:
    return sync_client.hget(accounts.account_key(name), "password")


async def test_bad_bodies_get_4xx_never_500(base, env):
    add(env, "amal")
    async with httpx.AsyncClient(base_url=base) as client:
        assert (await client.post("/console/api/login", content=b"{not json", headers={"content-type": "application/json"})).status_code == 400
        assert (await client.post("/console/api/login", content=b"[1,2]", headers={"content-type": "application/json"})).status_code == 400
        assert (await client.post("/console/api/login", content=b'{"name": 5}', headers={"content-type": "application/json"})).status_code == 400
        assert (await client.post("/console/api/login", content=b"name=a", headers={"content-type": "application/x-www-form-urlencoded"})).status_code == 415
    async with logged_in(base, "amal") as client:
        await enqueue("conv-bad")
        assert (await client.post("/console/api/conversations/conv-bad/claim")).status_code == 200
        for body in (b"{oops", b'"text"', b'{"text": 7}', b'{"text": ""}', b'{"reply_key": "utter_nonexistent"}', "x".encode() * 70000):
            reply = await client.post("/console/api/conversations/conv-bad/messages", content=body, headers={"content-type": "application/json"})
            assert 400 <= reply.status_code < 500, (body[:20], reply.status_code)
        reply = await client.post("/console/api/conversations/conv-bad/transfer", json={"team": "nowhere"})
        assert reply.status_code == 400
        assert (await client.post("/console/api/conversations/conv-bad/resolve", json={"outcome": "maybe"})).status_code == 400
        assert (await client.get("/console/api/conversations/" + "%2F" * 3)).status_code in (403, 404)


async def test_login_is_rate_limited(base, env):
    add(env, "amal")
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(accounts.MAX_LOGIN_FAILURES):
            assert (await client.post("/console/api/login", json={"name": "amal", "password": "wrong-password"})).status_code == 401
        reply = await client.post("/console/api/login", json={"name": "amal", "password": PASSWORD})
        assert reply.status_code == 429


async def test_counsellor_cannot_read_or_write_a_conversation_they_do_not_hold(base, env):
    add(env, "amal")
    add(env, "bea")
    await enqueue("conv-a")
    async with logged_in(base, "amal") as amal, logged_in(base, "bea") as bea:
        assert (await amal.post("/console/api/conversations/conv-a/claim")).status_code == 200
        assert (await bea.post("/console/api/conversations/conv-a/claim")).status_code == 409
        assert (await bea.get("/console/api/conversations/conv-a")).status_code == 403
        for path, body in [("messages", {"text": "hi"}), ("notes", {"text": "n"}), ("transfer", {"team": "shelter"}), ("release", {}), ("resolve", {"outcome": "bot"})]:
            assert (await bea.post(f"/console/api/conversations/conv-a/{path}", json=body)).status_code == 403, path
        assert (await bea.get("/console/api/conversations/never-existed")).status_code == 403
        assert (await amal.get("/console/api/conversations/conv-a")).status_code == 200
        # Bea sees the queue summaries but not Amal's conversation in it.
        assert [c["id"] for c in (await bea.get("/console/api/queue")).json()["mine"]] == []
    from bot.storage.redis_client import get_async_redis

    assert await relay.history(get_async_redis(), "conv-a") != []  # only the joined message
    assert all(e["from"] == "bot" for e in await relay.history(get_async_redis(), "conv-a"))


async def test_claim_reply_ready_reply_notes_and_hand_back(base, env, sent):
    add(env, "amal")
    await enqueue("conv-r", language="sv")
    await enqueue("conv-urgent", urgency=0, language="en")
    async with logged_in(base, "amal") as client:
        queue = (await client.get("/console/api/queue")).json()["queue"]
        assert [c["id"] for c in queue] == ["conv-urgent", "conv-r"]
        assert queue[1]["language"]["name"] == "Svenska" or queue[1]["language"]["code"] == "sv"
        assert (await client.post("/console/api/conversations/conv-r/claim")).status_code == 200
        assert sent[-1][1] == "conv-r" and "Amal" in sent[-1][2]
        view = (await client.get("/console/api/conversations/conv-r")).json()
        assert view["language"]["code"] == "sv"
        keys_offered = {r["key"] for r in view["ready_replies"]}
        assert {"utter_legal_help", "utter_need_shelter", "utter_human_requested"} <= keys_offered
        reply = await client.post("/console/api/conversations/conv-r/messages", json={"reply_key": "utter_legal_help"})
        assert reply.status_code == 201 and reply.json()["language"] == "sv"
        assert sent[-1][2].startswith("Om du är utsatt för människohandel")
        assert (await client.post("/console/api/conversations/conv-r/messages", json={"text": "Hej, jag heter Amal."})).status_code == 201
        assert (await client.post("/console/api/conversations/conv-r/notes", json={"text": "called shelter"})).status_code == 201
        from bot.storage.redis_client import get_async_redis

        assert await relay.relay_to_console(get_async_redis(), "conv-r", "Tack!", channel="rest", message_id="p1")
        mine = (await client.get("/console/api/queue")).json()["mine"]
        assert mine[0]["id"] == "conv-r" and mine[0]["unread"] == 1
        view = (await client.get("/console/api/conversations/conv-r")).json()
        assert [(l["from"], l["text"]) for l in view["transcript"]][-2:] == [("counsellor", "Hej, jag heter Amal."), ("person", "Tack!")]
        assert view["notes"][0]["text"] == "called shelter"
        assert (await client.get("/console/api/queue")).json()["mine"][0]["unread"] == 0
        assert (await client.post("/console/api/conversations/conv-r/resolve", json={"outcome": "bot"})).status_code == 200
        assert sent[-1][2].startswith("Rådgivaren har lämnat chatten")
        assert (await client.get("/console/api/conversations/conv-r")).status_code == 403
        # Claim next takes the most urgent one.
        assert (await client.post("/console/api/conversations/next/claim")).json()["id"] == "conv-urgent"
        assert (await client.post("/console/api/conversations/next/claim")).status_code == 404


async def test_unregistered_outbound_channel_keeps_the_message_in_the_relay(base, env, sent):
    add(env, "amal")
    await enqueue("conv-w", channel="widget", language="en")
    async with logged_in(base, "amal") as client:
        assert (await client.post("/console/api/conversations/conv-w/claim")).status_code == 200
        assert (await client.post("/console/api/conversations/conv-w/messages", json={"text": "hello there"})).status_code == 201
    from bot.storage.redis_client import get_async_redis

    entries = await relay.history(get_async_redis(), "conv-w")
    assert [e["text"] for e in entries][-1] == "hello there"
    assert not [s for s in sent if s[1] == "conv-w"]


async def test_transfer_and_release_through_the_api(base, env):
    add(env, "amal")
    add(env, "sara", teams=("shelter",), languages=("en",))
    await enqueue("conv-t")
    async with logged_in(base, "amal") as amal, logged_in(base, "sara") as sara:
        await amal.post("/console/api/conversations/conv-t/claim")
        assert (await amal.post("/console/api/conversations/conv-t/transfer", json={"counsellor": "nobody"})).status_code == 400
        assert (await amal.post("/console/api/conversations/conv-t/transfer", json={"counsellor": "sara"})).status_code == 200
        assert [c["id"] for c in (await sara.get("/console/api/queue")).json()["queue"]] == ["conv-t"]
        assert (await sara.post("/console/api/conversations/conv-t/claim")).status_code == 200
        assert (await sara.post("/console/api/conversations/conv-t/release")).status_code == 200
        assert (await sara.post("/console/api/heartbeat")).json()["renewed"] == 0


async def read_events(lines, wanted: int, timeout: float = 10.0) -> List[Dict]:
    events: List[Dict] = []
    kind = None

    async def consume():
        nonlocal kind
        async for line in lines:
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                events.append({"event": kind, **json.loads(line[6:])})
                if len(events) >= wanted:
                    return

    await asyncio.wait_for(consume(), timeout)
    return events


async def test_live_events_alert_urgent_and_relay_only_held_messages(base, env):
    add(env, "amal")
    await enqueue("conv-e")
    async with logged_in(base, "amal") as client:
        await client.post("/console/api/conversations/conv-e/claim")
        async with client.stream("GET", "/console/api/events", timeout=20) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            ready = await read_events(lines, 1)
            assert ready[0]["event"] == "ready" and ready[0]["lease_renewed"] == 1
            from bot.storage.redis_client import get_async_redis

            client_redis = get_async_redis()
            await enqueue("conv-danger", urgency=0, team="youth")
            await enqueue("conv-shelter", urgency=0, team="shelter")  # not Amal's team: no alert
            await queue_for(client_redis).enqueue(HandoffRequest("conv-other", "rest", "en", 2, None, "county"))
            await queue_for(client_redis).claim("conv-other", accounts.Counsellor("bea", "Bea", ["county"], []))
            await relay.relay_to_console(client_redis, "conv-other", "not for amal", channel="rest", message_id="o1")
            await relay.relay_to_console(client_redis, "conv-e", "for amal", channel="rest", message_id="e1")
            got = await read_events(lines, 5)
    by_type = [(e["event"], e["conversation"]) for e in got]
    assert ("queued", "conv-danger") in by_type and ("message", "conv-e") in by_type
    assert ("message", "conv-other") not in by_type
    urgent = {e["conversation"]: e.get("urgent") for e in got if e["event"] == "queued"}
    assert urgent["conv-danger"] is True and urgent["conv-shelter"] is False
    assert all("text" not in e for e in got)


def test_cli_adds_a_counsellor_with_the_password_from_stdin(env, redis_server):
    import os

    result = subprocess.run(
        [sys.executable, "-m", "bot.console", "add-counsellor", "noor", "--teams", "youth,county", "--languages", "ar,sv"],
        input=PASSWORD + "\n", capture_output=True, text=True, cwd=PROJECT_ROOT,
        env={**os.environ, "REDIS_URL": redis_server.url}, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    record = env.hgetall(accounts.account_key("noor"))
    assert json.loads(record["teams"]) == ["youth", "county"] and json.loads(record["languages"]) == ["ar", "sv"]
    assert accounts.verify_password(PASSWORD, record["password"]) and not accounts.verify_password("wrong", record["password"])
    bad = subprocess.run(
        [sys.executable, "-m", "bot.console", "add-counsellor", "x", "--teams", "pirates"], input="short\n",
        capture_output=True, text=True, cwd=PROJECT_ROOT, env={**os.environ, "REDIS_URL": redis_server.url}, timeout=60,
    )
    assert bad.returncode == 2 and "error" in bad.stderr


async def test_failed_logins_are_counted_under_a_keyed_hash(base, env):
    """No key in Redis can be matched to an address by hashing candidate addresses."""
    import hashlib

    async with httpx.AsyncClient(base_url=base) as client:
        assert (await client.post("/console/api/login", json={"name": "nobody", "password": "wrong-password"})).status_code == 401
    stored = [k for k in env.keys(accounts.LOGIN_FAILURES_PREFIX + "*")]
    assert len(stored) == 2  # the address and the account name
    for plain in ("ip:127.0.0.1", "name:nobody"):
        assert accounts.LOGIN_FAILURES_PREFIX + hashlib.sha256(plain.encode()).hexdigest()[:32] not in stored
