"""Telegram through the real server (Rasa + actions + Redis) and a local fake Bot API."""
from __future__ import annotations

import pytest

from conftest import TEST_TELEGRAM_SECRET
from fakes.harness import post_telegram, telegram_update
from helpers import texts_in

pytestmark = pytest.mark.slow


def test_a_somali_conversation_is_answered_in_somali(fristad_server, fake_telegram) -> None:
    chat_id = 730000001
    somali = texts_in("so")
    assert post_telegram(fristad_server, telegram_update(chat_id, "/start"), TEST_TELEGRAM_SECRET).status_code == 200
    for text in ("asc walaal, ma jiraa qof i caawin kara?", "haa", "shaqadayda ayaa dhibaato ku jirta, lacagta ma i siiyaan"):
        before = len(fake_telegram.sent(chat_id))
        assert post_telegram(fristad_server, telegram_update(chat_id, text), TEST_TELEGRAM_SECRET).status_code == 200
        replies = fake_telegram.sent(chat_id)[before:]
        assert replies, f"no reply to {text!r}"
        assert all(reply["text"] in somali for reply in replies), [r["text"] for r in replies]
    # Buttons became a Somali keyboard.
    keyboards = [r["reply_markup"] for r in fake_telegram.sent(chat_id) if "keyboard" in (r.get("reply_markup") or {})]
    assert keyboards


def test_a_photo_gets_please_write_in_the_conversation_language(fristad_server, fake_telegram) -> None:
    chat_id = 730000002
    post_telegram(fristad_server, telegram_update(chat_id, "asc, waxaan u baahanahay caawimaad"), TEST_TELEGRAM_SECRET)
    photo = [{"file_id": "f", "file_unique_id": "u", "width": 90, "height": 90}]
    assert post_telegram(fristad_server, telegram_update(chat_id, None, photo=photo), TEST_TELEGRAM_SECRET).status_code == 200
    from bot.nlg.catalog import get_catalog

    assert fake_telegram.sent(chat_id)[-1]["text"] == get_catalog().render("utter_please_write_text", "so").text


def test_forged_secret_is_refused_and_repeats_are_processed_once(fristad_server, fake_telegram) -> None:
    chat_id = 730000003
    body = telegram_update(chat_id, "asc")
    assert post_telegram(fristad_server, body, "forged").status_code == 403
    assert post_telegram(fristad_server, body, None).status_code == 403
    assert fake_telegram.sent(chat_id) == []
    assert post_telegram(fristad_server, body, TEST_TELEGRAM_SECRET).status_code == 200
    first = len(fake_telegram.sent(chat_id))
    assert first >= 1
    assert post_telegram(fristad_server, body, TEST_TELEGRAM_SECRET).json()["status"] == "duplicate"
    assert len(fake_telegram.sent(chat_id)) == first
