"""The real server (``python -m bot.run``: Rasa, actions, Redis) on the REST channel."""
from __future__ import annotations

import random
from pathlib import Path
from typing import List

import pytest

from helpers import post, reply_languages, say

pytestmark = pytest.mark.slow


def test_swedish_gets_swedish(fristad_server: str) -> None:
    replies = say(fristad_server, "rest-sv-1", "hej, jag behöver hjälp")
    assert replies and "sv" in reply_languages(replies), replies


def test_arabic_gets_arabic_and_ok_stays_arabic(fristad_server: str) -> None:
    replies = say(fristad_server, "rest-ar-1", "مرحبا، أنا بحاجة إلى مساعدة")
    assert replies and reply_languages(replies) == {"ar"}, replies
    replies = say(fristad_server, "rest-ar-1", "ok")
    assert replies and reply_languages(replies) == {"ar"}, replies


def test_every_reply_offers_a_next_step(fristad_server: str) -> None:
    """Not understood: a polite answer with topics and a human on offer."""
    replies = say(fristad_server, "rest-en-1", "qwxz vbnm plokij")
    payloads = {b["payload"] for r in replies for b in r.get("buttons", [])}
    assert "/request_human" in payloads, replies


HOSTILE: List[object] = [
    "",
    "   ",
    "a" * 20_000,
    "😀🙏🔥",
    "\u200f\u202eمرحبا\u202c hello привет 你好",
    "\u200f\u200e\u200f",
    "\x00\x01\x02 null bytes",
    None,
    12345,
    ["a", "list"],
    {"nested": "object"},
]


@pytest.mark.parametrize("message", HOSTILE, ids=lambda m: repr(m)[:20])
def test_bad_input_gets_a_polite_reply(fristad_server: str, message: object) -> None:
    replies = say(fristad_server, f"rest-bad-{abs(hash(repr(message))) % 10**8}", message)
    assert replies, "no reply"
    assert all(r.get("text") for r in replies)


def test_random_bytes_get_a_polite_reply(fristad_server: str) -> None:
    rng = random.Random(7)
    text = bytes(rng.randrange(256) for _ in range(300)).decode("latin-1")
    assert say(fristad_server, "rest-bytes", text)


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"\xff\xfe\xfd", b"[1,2,3]", b'{"message": "no sender"}', b'{"sender": "", "message": "x"}', b""],
)
def test_malformed_bodies_get_a_clear_4xx(fristad_server: str, raw: bytes) -> None:
    status, body = post(f"{fristad_server}/webhooks/rest/webhook", None, raw=raw)
    assert 400 <= status < 500, (status, body)
    assert isinstance(body, dict) and body.get("message")
    # ...and the server keeps serving.
    assert say(fristad_server, "rest-after-bad", "hello")


def test_logs_hold_none_of_the_text(fristad_server: str, server_env: dict) -> None:
    secret = "Zebulon Quartzfield lives at Hemlighetsgatan 99"
    say(fristad_server, "rest-log-check", secret)
    say(fristad_server, "rest-log-check", "jag är rädd för polisen, Hemlighetsgatan")
    logs = list((Path(server_env["FRISTAD_DATA_DIR"]) / "logs").rglob("*.log"))
    assert logs
    for path in logs:
        content = path.read_text(encoding="utf-8", errors="replace")
        assert "Zebulon" not in content and "Hemlighetsgatan" not in content, path
        assert "rest-log-check" not in content, path  # not even the caller's sender id
