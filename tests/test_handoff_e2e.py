"""End to end through the real server (``python -m bot.run``): a person asks for a human
in Arabic on the REST channel, a counsellor created with the CLI handles it in the
console API, and the bot takes over again, still in Arabic.

The REST channel cannot push, so texts the person gets outside a Rasa turn (counsellor
joined, counsellor replies, counsellor left) are recorded by the REST outbound sender in
the conversation's ``outbox`` list in Redis; this test reads them there.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys


import httpx
import pytest
import redis

from bot.handoff import keys
from bot.nlg.catalog import get_catalog
from bot.settings import PROJECT_ROOT
from bot.storage.keys import tracker_key

pytestmark = pytest.mark.slow

ARABIC = re.compile(r"[\u0600-\u06FF]")
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def handoff_server(isolated_server: tuple) -> tuple:
    """A server and Redis of their own: the queue holds only this test's person."""
    return isolated_server


def answers_sender(server_env: dict) -> str:
    """The pseudonym the REST channel gives the test's person (same key as the server)."""
    from fakes.harness import pseudonym

    return pseudonym(server_env["FRISTAD_PSEUDONYM_KEY"], "rest", "e2e-person-1")


def unseal_with(secret: str, token: str, context: str) -> str:
    """Open a sealed tracker with the server's key (this process has other settings)."""
    from unittest import mock

    from bot.privacy import sealing
    from bot.settings import Settings

    with mock.patch.object(sealing, "get_settings", lambda: Settings(address_key=secret)):
        return sealing.unseal(token, context)


def say(client: httpx.Client, base: str, text: str) -> list:
    reply = client.post(f"{base}/webhooks/rest/webhook", json={"sender": "e2e-person-1", "message": text}, timeout=120)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_arabic_person_counsellor_and_back_to_the_bot(handoff_server):
    base, server_env = handoff_server
    store = redis.Redis.from_url(server_env["REDIS_URL"], decode_responses=True)
    created = subprocess.run(
        [sys.executable, "-m", "bot.console", "add-counsellor", "amal.e2e", "--teams", "youth,county", "--languages", "ar,sv"],
        input=PASSWORD + "\n", capture_output=True, text=True, cwd=PROJECT_ROOT, env=server_env, timeout=60,
    )
    assert created.returncode == 0, created.stderr
    catalog = get_catalog()

    with httpx.Client() as person, httpx.Client(base_url=base) as console:
        answers = say(person, base, "أريد التحدث مع شخص")
        assert answers and all(ARABIC.search(a.get("text", "")) for a in answers), answers
        assert store.exists(keys.state_key(answers_sender(server_env))), f"request_human not recognised in Arabic: {answers}"
        # Nobody is at the console yet: no wait is promised, the emergency number is given.
        assert catalog.render("utter_no_counsellor_online", "ar", {"queue_position": 1}).text in [a["text"] for a in answers]

        assert console.post("/console/api/login", json={"name": "amal.e2e", "password": PASSWORD}).status_code == 200
        queue = console.get("/console/api/queue").json()["queue"]
        top = queue[0]
        assert top["language"]["code"] == "ar" and top["language"]["english_name"] == "Arabic"
        sender_id = top["id"]
        assert console.post(f"/console/api/conversations/{sender_id}/claim").status_code == 200
        outbox = store.lrange(keys.outbox_key(sender_id), 0, -1)
        assert outbox[-1] == catalog.render("utter_counsellor_joined", "ar", {"counsellor_name": "Amal"}).text

        view = console.get(f"/console/api/conversations/{sender_id}").json()
        assert view["language"]["code"] == "ar"
        assert [l["text"] for l in view["transcript"] if l["from"] == "person"][0] == "أريد التحدث مع شخص"
        assert sender_id == answers_sender(server_env)
        assert any(l["from"] == "bot" for l in view["transcript"])  # the bot's part of the conversation
        legal = next(r for r in view["ready_replies"] if r["key"] == "utter_legal_help")
        assert legal["sv"] == catalog.render("utter_legal_help", "sv").text  # what the counsellor reads
        sent = console.post(f"/console/api/conversations/{sender_id}/messages", json={"reply_key": legal["key"]})
        assert sent.status_code == 201 and sent.json()["language"] == "ar"
        arabic_legal = catalog.render("utter_legal_help", "ar").text
        assert store.lrange(keys.outbox_key(sender_id), -1, -1) == [arabic_legal]

        # While the counsellor holds it, the bot is silent and the console gets the message.
        assert say(person, base, "شكرا، أين أنا في الأمان؟") == []
        view = console.get(f"/console/api/conversations/{sender_id}").json()
        assert [l["text"] for l in view["transcript"] if l["from"] == "person"][-1] == "شكرا، أين أنا في الأمان؟"
        assert view["relay"][-1]["text"] == "شكرا، أين أنا في الأمان؟"

        assert console.post(f"/console/api/conversations/{sender_id}/resolve", json={"outcome": "bot"}).status_code == 200
        assert store.lrange(keys.outbox_key(sender_id), -1, -1) == [catalog.render("utter_counsellor_left", "ar").text]

        answers = say(person, base, "أحتاج مكانا آمنا للنوم")
        assert answers and ARABIC.search(answers[0]["text"]), answers

    sealed = store.get(tracker_key(sender_id))
    assert "أحتاج" not in sealed  # stored sealed, never in clear
    events = json.loads(unseal_with(server_env["FRISTAD_ADDRESS_KEY"], sealed, sender_id))["events"]
    kinds = [e["event"] for e in events]
    assert kinds.index("pause") < kinds.index("resume")
    counsellor_lines = [e for e in events if e["event"] == "bot" and (e.get("metadata") or {}).get("counsellor") == "Amal"]
    assert [e["text"] for e in counsellor_lines] == [arabic_legal]
    assert [e["text"] for e in events if e["event"] == "user"][-1] == "أحتاج مكانا آمنا للنوم"
