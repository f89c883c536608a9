"""The Telegram channel against a local fake Bot API, in Fristad's channel app (no model).

The bot's answers here come from the stand-in for Rasa in tests/fakes/channel_app.py;
the Somali conversation through the real Rasa server is in test_telegram_e2e.py.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, Optional

import httpx
import pytest
import redis

from bot.nlg.catalog import get_catalog
from conftest import TEST_ADDRESS_KEY, TEST_PSEUDONYM_KEY, TEST_TELEGRAM_SECRET

WEBHOOK = "/webhooks/telegram/webhook"
_update_ids = iter(range(10_000, 1_000_000))


def update(chat_id: int, text: Optional[str] = "hello", language: str = "en", **extra: Any) -> Dict[str, Any]:
    message: Dict[str, Any] = {
        "message_id": next(_update_ids), "date": 1764400000,
        "chat": {"id": chat_id, "type": "private", "first_name": "A"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "A", "language_code": language},
    }
    if text is not None:
        message["text"] = text
    message.update(extra)
    return {"update_id": next(_update_ids), "message": message}


def post(app, body: Any, secret: Optional[str] = TEST_TELEGRAM_SECRET) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return httpx.post(app.base + WEBHOOK, content=json.dumps(body), headers=headers, timeout=30)


def processed(client: redis.Redis) -> list:
    return [json.loads(item) for item in client.lrange("test:processed", 0, -1)]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_text_reaches_rasa_once_and_the_reply_reaches_the_chat_with_a_keyboard(channel_app, redis_client, fake_telegram) -> None:
    chat_id = 5550001
    reply = post(channel_app, update(chat_id, "salam"))
    assert reply.status_code == 200
    seen = processed(redis_client)
    assert len(seen) == 1 and seen[0]["channel"] == "telegram" and seen[0]["text_sha"] == sha("salam")
    assert str(chat_id) not in seen[0]["sender"]  # Rasa sees a pseudonym
    sent = fake_telegram.sent(chat_id)
    assert sent[-1]["text"] == get_catalog().render("utter_human_offer", "en").text
    assert sent[-1]["reply_markup"]["keyboard"] == [[{"text": "A"}, {"text": "B"}]]


def test_start_command_greets(channel_app, redis_client) -> None:
    assert post(channel_app, update(5550002, "/start")).status_code == 200
    assert processed(redis_client)[0]["text_sha"] == sha("/greet")


def test_a_keyboard_tap_becomes_the_button_payload(channel_app, redis_client) -> None:
    post(channel_app, update(5550003, "hi"))
    post(channel_app, update(5550003, "B"))
    assert processed(redis_client)[-1]["text_sha"] == sha("/deny")


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", TEST_TELEGRAM_SECRET + "x", TEST_TELEGRAM_SECRET[:-1]])
def test_missing_or_wrong_secret_is_refused_and_not_processed(channel_app, redis_client, fake_telegram, secret) -> None:
    chat_id = 5550004
    reply = post(channel_app, update(chat_id, "hello"), secret=secret)
    assert reply.status_code == 403
    assert processed(redis_client) == []
    assert fake_telegram.sent(chat_id) == []
    assert not [k for k in redis_client.scan_iter("fristad:*")]  # not even de-duplication state


def test_a_repeated_update_is_processed_once(channel_app, redis_client, fake_telegram) -> None:
    chat_id = 5550005
    body = update(chat_id, "help me")
    assert post(channel_app, body).json()["status"] == "ok"
    assert post(channel_app, body).json()["status"] == "duplicate"
    assert post(channel_app, body).json()["status"] == "duplicate"
    assert len(processed(redis_client)) == 1
    assert len(fake_telegram.sent(chat_id)) == 1


@pytest.mark.parametrize(
    "content",
    [
        {"photo": [{"file_id": "f", "file_unique_id": "u", "width": 90, "height": 90}]},
        {"voice": {"file_id": "f", "file_unique_id": "u", "duration": 3}},
        {"sticker": {"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1, "is_animated": False, "is_video": False, "type": "regular"}},
        {"location": {"latitude": 59.3, "longitude": 18.0}},
        {"document": {"file_id": "f", "file_unique_id": "u"}},
    ],
)
def test_non_text_gets_please_write_in_the_persons_language(channel_app, redis_client, fake_telegram, content) -> None:
    chat_id = 5550006
    assert post(channel_app, update(chat_id, None, language="ro", **content)).status_code == 200
    assert processed(redis_client) == []  # nothing for Rasa to read
    expected = get_catalog().render("utter_please_write_text", "ro").text
    assert fake_telegram.sent(chat_id)[-1]["text"] == expected


def test_group_chats_and_non_message_updates_are_ignored(channel_app, redis_client) -> None:
    body = update(5550007, "hi")
    body["message"]["chat"]["type"] = "group"
    assert post(channel_app, body).json()["status"] == "ignored"
    assert post(channel_app, {"update_id": 77, "edited_message": {"text": "x"}}).json()["status"] == "ignored"
    assert processed(redis_client) == []


def test_chat_id_is_kept_only_sealed(channel_app, redis_client) -> None:
    chat_id = 5550008
    post(channel_app, update(chat_id, "hi"))
    sender = processed(redis_client)[0]["sender"]
    sealed = redis_client.get(f"fristad:conv:{sender}:address")
    assert sealed and str(chat_id) not in sealed
    assert 0 < redis_client.ttl(f"fristad:conv:{sender}:address") <= 30 * 24 * 3600
    for key in redis_client.scan_iter("*"):
        assert str(chat_id) not in key


async def test_counsellor_reply_reaches_the_telegram_chat(channel_app, redis_client, fake_telegram, monkeypatch) -> None:
    """bot.channels.outbound.send_to_person, as the console calls it."""
    from bot.channels import outbound, telegram
    from bot.settings import get_settings

    chat_id = 5550009
    post(channel_app, update(chat_id, "hi"))
    sender = processed(redis_client)[0]["sender"]
    for key, value in channel_app.env.items():
        if key.startswith(("TELEGRAM_", "FRISTAD_", "REDIS_")):
            monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        outbound.register("telegram", telegram.send_outbound)
        await outbound.send_to_person("telegram", sender, "Hej, jag heter Sara.", [{"title": "OK", "payload": "/affirm"}])
        assert fake_telegram.sent(chat_id)[-1]["text"] == "Hej, jag heter Sara."
        assert fake_telegram.sent(chat_id)[-1]["reply_markup"]["keyboard"] == [[{"text": "OK"}]]
        with pytest.raises(LookupError):
            await outbound.send_to_person("telegram", "telegram-unknown", "x")
    finally:
        await telegram.shutdown_bot()
        get_settings.cache_clear()


def test_keys_used_by_the_test_server_are_the_test_keys(channel_app) -> None:
    assert channel_app.env["FRISTAD_PSEUDONYM_KEY"] == TEST_PSEUDONYM_KEY
    assert channel_app.env["FRISTAD_ADDRESS_KEY"] == TEST_ADDRESS_KEY
