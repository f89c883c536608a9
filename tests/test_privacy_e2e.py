"""Privacy on the real server (Rasa, actions, tracker store, handoff) after whole
conversations over Telegram, SMS and the widget:

- no phone number, chat id, widget token or bot token in Redis or in any log file;
- no message text in any log file, nor in Redis outside Rasa's tracker (the tracker
  is scanned too as soon as the tracker store seals it: bot/privacy/sealed_tracker.py);
- "delete my data" leaves no key of that conversation in Redis.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from conftest import TEST_TELEGRAM_SECRET, TEST_TELEGRAM_TOKEN, TEST_TWILIO_NUMBER, TEST_TWILIO_TOKEN
from fakes.harness import post_sms, post_telegram, sms_params, telegram_update
from fakes.scan import find_in_logs, find_in_redis

pytestmark = pytest.mark.slow

CHAT_ID = 847362915
PHONE = "+40755443322"
TG_TEXTS = ["asc, magacaygu waa Hodan Cali, waxaan joogaa Rinkeby", "baasaboorkaygii way qaateen"]
SMS_TEXTS = ["Bună, mă numesc Elena Popescu și lucrez la ferma din Skåne", "mi-au luat pașaportul ieri"]
WIDGET_TEXTS = ["hello, my name is Grace Okafor, I am at the hotel on Vasagatan", "my boss keeps my salary"]


def tracker_is_sealed() -> bool:
    from bot.privacy.sealed_tracker import SealedTrackerSerialisation
    from bot.storage.tracker_store import FristadTrackerStore

    return issubclass(FristadTrackerStore, SealedTrackerSerialisation)


@pytest.fixture(autouse=True)
def server_settings(server_env, monkeypatch):
    from bot.settings import get_settings

    for key, value in server_env.items():
        if key.startswith(("FRISTAD_", "REDIS_")):
            monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_no_address_or_text_in_clear_after_conversations(fristad_server, server_env, fake_telegram, fake_twilio) -> None:
    import redis

    for text in TG_TEXTS:
        assert post_telegram(fristad_server, telegram_update(CHAT_ID, text), TEST_TELEGRAM_SECRET).status_code == 200
    for text in SMS_TEXTS:
        params = sms_params(PHONE, text, TEST_TWILIO_NUMBER)
        assert post_sms(fristad_server, server_env["FRISTAD_PUBLIC_URL"], params, TEST_TWILIO_TOKEN).status_code == 200
    token = httpx.post(fristad_server + "/chat/api/session", timeout=10).json()["token"]
    for text in WIDGET_TEXTS:
        body = {"token": token, "text": text, "message_id": uuid.uuid4().hex}
        assert httpx.post(fristad_server + "/chat/api/messages", json=body, timeout=120).status_code == 200
    assert fake_telegram.sent(CHAT_ID) and fake_twilio.sent(PHONE)  # the conversations happened

    client = redis.Redis.from_url(server_env["REDIS_URL"], decode_responses=True)
    addresses = [str(CHAT_ID), PHONE, token, TEST_TELEGRAM_TOKEN]
    texts = TG_TEXTS + SMS_TEXTS + WIDGET_TEXTS
    assert find_in_redis(client, addresses) == []
    skip = () if tracker_is_sealed() else ("fristad:tracker:",)
    assert find_in_redis(client, texts, skip_prefixes=skip) == []
    log_dir = Path(server_env["FRISTAD_DATA_DIR"]) / "logs"
    assert find_in_logs(log_dir, addresses + texts) == []


def test_delete_my_data_over_telegram_leaves_no_key(fristad_server, server_env) -> None:
    import redis

    from bot.privacy.pseudonym import pseudonymous_id

    chat_id = 847362916
    sender = pseudonymous_id("telegram", str(chat_id))
    client = redis.Redis.from_url(server_env["REDIS_URL"], decode_responses=True)
    post_telegram(fristad_server, telegram_update(chat_id, "asc, waxaan u baahanahay caawimaad"), TEST_TELEGRAM_SECRET)
    assert [k for k in client.scan_iter("*") if sender in k]
    post_telegram(fristad_server, telegram_update(chat_id, "/delete_data"), TEST_TELEGRAM_SECRET)
    post_telegram(fristad_server, telegram_update(chat_id, "/affirm"), TEST_TELEGRAM_SECRET)
    assert [k for k in client.scan_iter("*") if sender in k] == []
