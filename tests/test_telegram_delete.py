"""TELEGRAM_DELETE_AFTER_HOURS: old messages in the chat are deleted through the Bot API."""
from __future__ import annotations

import time

from conftest import TEST_ADDRESS_KEY, TEST_PSEUDONYM_KEY, TEST_TELEGRAM_SECRET, TEST_TELEGRAM_TOKEN


async def test_old_messages_are_deleted_new_ones_kept(redis_server, redis_client, fake_telegram, monkeypatch) -> None:
    from bot.channels import telegram
    from bot.privacy.address_book import remember_address
    from bot.privacy.pseudonym import pseudonymous_id
    from bot.settings import get_settings
    from bot.storage.redis_client import get_async_redis

    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setenv("TELEGRAM_TOKEN", TEST_TELEGRAM_TOKEN)
    monkeypatch.setenv("TELEGRAM_SECRET_TOKEN", TEST_TELEGRAM_SECRET)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", fake_telegram.url)
    monkeypatch.setenv("TELEGRAM_DELETE_AFTER_HOURS", "1")
    monkeypatch.setenv("FRISTAD_PSEUDONYM_KEY", TEST_PSEUDONYM_KEY)
    monkeypatch.setenv("FRISTAD_ADDRESS_KEY", TEST_ADDRESS_KEY)
    get_settings.cache_clear()
    try:
        client = get_async_redis()
        chat_id = 661100
        sender = pseudonymous_id("telegram", str(chat_id))
        await remember_address(client, sender, str(chat_id))
        await telegram.remember_for_deletion(client, sender, 11)  # the person's message
        await telegram.send_to_chat(sender, chat_id, "Bot reply", [])  # the bot's
        fake_telegram.clear()
        assert await telegram.delete_old_messages(client) == 0  # nothing is an hour old yet
        deleted = await telegram.delete_old_messages(client, now=time.time() + 2 * 3600)
        assert deleted == 2
        calls = [c["params"] for c in fake_telegram.calls if c["method"] == "deleteMessage"]
        assert {int(c["chat_id"]) for c in calls} == {chat_id} and len(calls) == 2
        assert await client.zcard(telegram.sent_messages_key(sender)) == 0
    finally:
        await telegram.shutdown_bot()
        get_settings.cache_clear()
