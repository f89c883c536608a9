"""The web widget's HTTP API and page, in Fristad's channel app (no model)."""
from __future__ import annotations

import json
import uuid
from typing import List, Tuple

import httpx
import pytest

from bot.channels.widget import STATIC_DIR
from bot.nlg.catalog import get_catalog


def session(app) -> str:
    reply = httpx.post(app.base + "/chat/api/session", timeout=10)
    assert reply.status_code == 200
    return reply.json()["token"]


def say(app, token: str, text: str, message_id: str = None) -> httpx.Response:
    body = {"token": token, "text": text, "message_id": message_id or uuid.uuid4().hex}
    return httpx.post(app.base + "/chat/api/messages", json=body, timeout=30)


def read_events(app, token: str, count: int, last_id: str = None) -> List[Tuple[str, dict]]:
    headers = {"Authorization": f"Bearer {token}"}
    if last_id:
        headers["Last-Event-ID"] = last_id
    events: List[Tuple[str, dict]] = []
    with httpx.stream("GET", app.base + "/chat/api/events", headers=headers, timeout=30) as reply:
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("text/event-stream")
        buffer = ""
        for chunk in reply.iter_text():
            buffer += chunk
            while "\n\n" in buffer:
                block, buffer = buffer.split("\n\n", 1)
                fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line and not line.startswith(":"))
                if "data" in fields:
                    events.append((fields["id"], json.loads(fields["data"])))
                    if len(events) >= count:
                        return events
    return events


def test_page_and_assets_carry_a_strict_policy_and_store_nothing(channel_app) -> None:
    page = httpx.get(channel_app.base + "/chat", timeout=10)
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert "set-cookie" not in page.headers
    assert "<script>" not in page.text and "style=" not in page.text  # nothing inline
    for name in ("widget.js", "widget.css", "embed.js"):
        asset = httpx.get(f"{channel_app.base}/chat/{name}", timeout=10)
        assert asset.status_code == 200 and "set-cookie" not in asset.headers


def test_our_files_load_nothing_from_elsewhere_and_use_no_storage() -> None:
    for path in STATIC_DIR.iterdir():
        code = "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith(("/*", "*", "//")))
        assert "://" not in code, path.name
        for api in ("localStorage", "sessionStorage", "indexedDB", "document.cookie", "serviceWorker", "caches."):
            assert api not in code, (path.name, api)


def test_config_lists_languages_in_their_own_scripts(channel_app) -> None:
    config = httpx.get(channel_app.base + "/chat/api/config?language=ar", timeout=10).json()
    names = {lang["code"]: lang for lang in config["languages"]}
    assert names["ar"]["name"] == "العربية" and names["ar"]["direction"] == "rtl"
    assert names["ro"]["name"] == "Română"
    assert config["language"] == "ar" and config["direction"] == "rtl"
    assert config["exit_url"].startswith("https://")


def test_a_message_gets_a_reply_on_the_event_stream_and_resumes_after_a_break(channel_app, redis_client) -> None:
    token = session(channel_app)
    assert say(channel_app, token, "hello").status_code == 200
    (first_id, first), = read_events(channel_app, token, 1)
    assert first["kind"] == "bot" and first["text"] == get_catalog().render("utter_human_offer", "en").text
    assert first["buttons"] == [{"title": "A", "payload": "/affirm"}, {"title": "B", "payload": "/deny"}]
    # The connection drops; two replies arrive meanwhile; Last-Event-ID resumes after the first.
    say(channel_app, token, "/choose_language" + json.dumps({"language": "ar"}))
    say(channel_app, token, "again")
    resumed = read_events(channel_app, token, 2, last_id=first_id)
    # The stand-in bot answers the language choice in Arabic, then in English again.
    assert [(e["language"], e["direction"]) for _, e in resumed] == [("ar", "rtl"), ("en", "ltr")]
    assert all(event_id > first_id for event_id, _ in resumed)


def test_a_retried_message_is_processed_once(channel_app, redis_client) -> None:
    token = session(channel_app)
    assert say(channel_app, token, "hi", "m-1").json()["status"] == "ok"
    assert say(channel_app, token, "hi", "m-1").json()["status"] == "duplicate"
    assert redis_client.llen("test:processed") == 1


@pytest.mark.parametrize(
    "body",
    [
        {"token": "forged.token", "text": "hi", "message_id": "1"},
        {"token": "", "text": "hi", "message_id": "1"},
        {"text": "hi", "message_id": "1"},
        ["not", "an", "object"],
    ],
)
def test_messages_without_a_token_we_issued_are_refused(channel_app, redis_client, body) -> None:
    reply = httpx.post(channel_app.base + "/chat/api/messages", json=body, timeout=10)
    assert reply.status_code in (400, 403)
    assert redis_client.llen("test:processed") == 0


def test_events_need_a_token(channel_app) -> None:
    assert httpx.get(channel_app.base + "/chat/api/events", timeout=10).status_code == 403
    headers = {"Authorization": "Bearer nope.nope"}
    assert httpx.get(channel_app.base + "/chat/api/events", headers=headers, timeout=10).status_code == 403


async def test_counsellor_messages_reach_the_widget_stream(channel_app, redis_client, monkeypatch) -> None:
    from bot.channels import outbound, widget
    from bot.privacy.pseudonym import pseudonymous_id
    from bot.settings import get_settings

    token = session(channel_app)
    for key, value in channel_app.env.items():
        if key.startswith(("FRISTAD_", "REDIS_")):
            monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        outbound.register("widget", widget.send_outbound)
        await outbound.send_to_person("widget", pseudonymous_id("widget", token), "Hej, jag heter Sara.")
    finally:
        get_settings.cache_clear()
    (_, event), = read_events(channel_app, token, 1)
    assert event == {"kind": "counsellor", "text": "Hej, jag heter Sara.", "buttons": [], "language": "", "direction": "ltr"}
