"""After whole conversations on every channel, no phone number, chat id or message
text is in Redis or in any log file in clear; erasing a conversation leaves no key.

Runs on Fristad's channel app (no model) so it always runs; test_privacy_e2e.py
repeats the scan on the real server with Rasa's tracker store.
"""
from __future__ import annotations

import uuid

import httpx
import pytest

from bot.privacy.erasure import erase_conversation
from bot.privacy.pseudonym import pseudonymous_id
from conftest import TEST_TELEGRAM_SECRET, TEST_TELEGRAM_TOKEN, TEST_TWILIO_NUMBER, TEST_TWILIO_TOKEN
from fakes.harness import post_sms, post_telegram, sms_params, telegram_update
from fakes.scan import find_in_logs, find_in_redis

CHAT_ID = 918273645
PHONE = "+46701112233"
TEXTS = ["Jag heter Maria Andersson och bor på Storgatan 12", "Min chef tog mitt pass igår kväll",
         "Numret till min vän är 0739876543", "they took my passport at the farm near Uppsala"]


@pytest.fixture(autouse=True)
def app_settings(channel_app, monkeypatch):
    """This process computes pseudonyms with the channel app's keys."""
    from bot.settings import get_settings

    for key, value in channel_app.env.items():
        if key.startswith(("FRISTAD_", "REDIS_")):
            monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def converse(app) -> str:
    for text in TEXTS[:2]:
        assert post_telegram(app.base, telegram_update(CHAT_ID, text, "sv"), TEST_TELEGRAM_SECRET).status_code == 200
    for text in TEXTS[2:]:
        assert post_sms(app.base, app.env["FRISTAD_PUBLIC_URL"], sms_params(PHONE, text, TEST_TWILIO_NUMBER), TEST_TWILIO_TOKEN).status_code == 200
    token = httpx.post(app.base + "/chat/api/session", timeout=10).json()["token"]
    for text in TEXTS:
        body = {"token": token, "text": text, "message_id": uuid.uuid4().hex}
        assert httpx.post(app.base + "/chat/api/messages", json=body, timeout=30).status_code == 200
    return token


def test_no_address_or_text_in_redis_or_logs(channel_app, redis_client) -> None:
    token = converse(channel_app)
    secrets = [str(CHAT_ID), PHONE, token, TEST_TELEGRAM_TOKEN, *TEXTS]
    # test:processed is the stand-in Rasa's own record (hashes only); scanned too.
    assert find_in_redis(redis_client, secrets) == []
    assert find_in_logs(channel_app.log_dir, secrets) == []
    # The conversations really happened and their addresses are there, sealed.
    for channel, address in (("telegram", str(CHAT_ID)), ("sms", PHONE)):
        assert redis_client.exists(f"fristad:conv:{pseudonymous_id(channel, address)}:address")


def test_erasing_a_conversation_leaves_no_key_of_it(channel_app, redis_client) -> None:
    token = converse(channel_app)
    for channel, address in (("telegram", str(CHAT_ID)), ("sms", PHONE), ("widget", token)):
        sender = pseudonymous_id(channel, address)
        assert any(sender in key for key in redis_client.scan_iter("*"))
        erase_conversation(redis_client, sender)
        assert [key for key in redis_client.scan_iter("*") if sender in key] == []
