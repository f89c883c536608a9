"""End to end through the real server (``python -m bot.run``): a person asks for a human
in Arabic on the REST channel, a counsellor created with the CLI handles it in the
console API, and the bot takes over again, still in Arabic.

The REST channel cannot push, so texts the person gets outside a Rasa turn (counsellor
joined, counsellor replies, counsellor left) are recorded by the REST outbound sender in
the conversation's ``outbox`` list in Redis; this test reads them there.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path
from typing import Iterator

import httpx
import pytest
import redis

from bot.handoff import keys
from bot.nlg.catalog import get_catalog
from bot.settings import PROJECT_ROOT
from bot.storage.embedded_redis import free_port
from bot.storage.keys import tracker_key
from bot.training import model_is_stale, model_path

pytestmark = pytest.mark.slow

ARABIC = re.compile(r"[\u0600-\u06FF]")
PASSWORD = "a long enough password"


NO_TRAIN_LAUNCHER = (
    "import sys, bot.run, bot.training; "
    "bot.run.train = lambda force=False: bot.training.model_path(); "
    "sys.exit(bot.run.main())"
)


@pytest.fixture(scope="module")
def handoff_server(request: pytest.FixtureRequest, server_env: dict) -> Iterator[tuple]:
    """The real server. With an up-to-date model (or FRISTAD_E2E_TRAIN=1) this is the shared
    ``fristad_server`` fixture. When teammates have changed training data since the last
    model, that fixture would start a 10+ minute training run, possibly beside the lead's;
    then the same launcher (``bot.run.main``) runs with the existing model instead."""
    if not model_path().exists():
        pytest.skip("no trained model yet: run `python -m bot.training ensure`")
    if not model_is_stale() or os.environ.get("FRISTAD_E2E_TRAIN") == "1":
        yield request.getfixturevalue("fristad_server"), server_env
        return
    env = {**server_env, "FRISTAD_PORT": str(free_port()), "ACTION_PORT": str(free_port())}
    log_dir = Path(env["FRISTAD_DATA_DIR"]) / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    output = open(log_dir / "handoff-e2e-server.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-c", NO_TRAIN_LAUNCHER], cwd=PROJECT_ROOT, env=env,
        stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{env['FRISTAD_PORT']}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{env['ACTION_PORT']}/health", timeout=1):
                with urllib.request.urlopen(f"{base}/console/", timeout=1):
                    break
        except OSError:
            time.sleep(1)
    else:
        os.killpg(process.pid, signal.SIGKILL)
        output.close()
        pytest.fail("server did not start:\n" + (log_dir / "handoff-e2e-server.log").read_text(errors="replace")[-3000:])
    yield base, env
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    output.close()


def answers_sender(store: redis.Redis) -> str:
    """The pseudonym of the test's person: the tracker written for it."""
    for key in store.scan_iter("fristad:tracker:*"):
        events = json.loads(store.get(key))["events"]
        if any(e.get("event") == "user" and e.get("text") == "أريد التحدث مع شخص" for e in events):
            return key.split(":", 2)[2]
    raise AssertionError("no tracker for the test's person")


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
        if not store.exists(keys.state_key(answers_sender(store))):
            # Only tolerated with a model older than the training data: press the
            # "talk to a person" button the not-understood reply offers, and say so.
            assert model_is_stale(), f"request_human not recognised in Arabic: {answers}"
            warnings.warn("stale model did not recognise the Arabic request_human; used its button")
            payload = next(b["payload"] for a in answers for b in a.get("buttons", []) if b["payload"] == "/request_human")
            answers = say(person, base, payload)
            assert answers and all(ARABIC.search(a.get("text", "")) for a in answers), answers
        assert catalog.render("utter_queue_position", "ar", {"queue_position": 1, "wait_minutes": 5}).text in [a["text"] for a in answers]

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
        assert sender_id == answers_sender(store)
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

    events = json.loads(store.get(tracker_key(sender_id)))["events"]
    kinds = [e["event"] for e in events]
    assert kinds.index("pause") < kinds.index("resume")
    counsellor_lines = [e for e in events if e["event"] == "bot" and (e.get("metadata") or {}).get("counsellor") == "Amal"]
    assert [e["text"] for e in counsellor_lines] == [arabic_legal]
    assert [e["text"] for e in events if e["event"] == "user"][-1] == "أحتاج مكانا آمنا للنوم"
