"""Fristad's channels in a Sanic app without Rasa, for tests that need no trained model.

``python tests/fakes/channel_app.py PORT`` serves the Telegram, SMS, widget and REST
blueprints exactly as Rasa mounts them. Instead of Rasa, every message is answered
by rendering ``utter_human_offer`` (with two buttons) in the language named by the
message's ``/choose_language`` payload or the ``FAKE_BOT_LANGUAGE`` env, so channel
behaviour (verification, de-duplication, replies, privacy) is tested end to end.
What reached "Rasa" is counted in Redis (``test:processed``, hashes only).
"""
from __future__ import annotations

import hashlib
import json
import os
import sys

from sanic import Sanic

from bot.channels.rest import RestInput
from bot.channels.sms import SmsInput
from bot.channels.telegram import TelegramInput
from bot.channels.widget import WidgetInput
from bot.nlg.catalog import get_catalog
from bot.storage.redis_client import get_async_redis

PROCESSED = "test:processed"


async def fake_rasa(message) -> None:
    client = get_async_redis()
    await client.rpush(PROCESSED, json.dumps({
        "sender": message.sender_id, "channel": message.input_channel,
        "text_sha": hashlib.sha256((message.text or "").encode()).hexdigest(),
    }))
    language = os.environ.get("FAKE_BOT_LANGUAGE", "en")
    if (message.text or "").startswith("/choose_language"):
        language = json.loads(message.text[len("/choose_language"):])["language"]
    catalog = get_catalog()
    rendered = catalog.render("utter_human_offer", language)
    lang = catalog.languages.get(rendered.language)
    await message.output_channel.send_response(message.sender_id, {
        "text": rendered.text,
        "buttons": [{"title": "A", "payload": "/affirm"}, {"title": "B", "payload": "/deny"}],
        "metadata": {"language": rendered.language, "direction": lang.direction if lang else "ltr"},
    })


def build_app() -> Sanic:
    app = Sanic("fristad_channels_test")
    for channel in (TelegramInput(), SmsInput(), WidgetInput(), RestInput()):
        prefix = "/chat" if channel.name() == "widget" else f"/webhooks/{channel.url_prefix()}"
        app.blueprint(channel.blueprint(fake_rasa), url_prefix=prefix)
    return app


if __name__ == "__main__":
    import logging

    logging.basicConfig(level=os.environ.get("FRISTAD_LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    build_app().run(host="127.0.0.1", port=int(sys.argv[1]), access_log=False, workers=1)
