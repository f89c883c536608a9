"""Telegram, in webhook mode inside Rasa's server, on python-telegram-bot 22.

Telegram POSTs each update to ``/webhooks/telegram/webhook`` with the secret we
gave it in ``X-Telegram-Bot-Api-Secret-Token``; anything without that secret gets
a 403 and is not looked at. Each ``update_id`` is processed once (Redis SET NX).
The chat id is needed to answer: it is sealed under the conversation prefix and
never reaches Rasa, which sees only the pseudonym.

One ``telegram.Bot`` per process, initialised when the server starts (a blueprint
listener), never at import and never while serving a request. Registering the
webhook is an operator's command::

    python -m bot.channels.telegram set-webhook https://fristad.example.org/webhooks/telegram/webhook
"""
from __future__ import annotations

import argparse
import asyncio
import hmac
import logging
import sys
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import dedupe
from bot.channels.common import at_server_start, clean_text, deliver
from bot.channels.conversation import conversation_language, render
from bot.channels.http import error, json_body
from bot.channels.options import remember_options, resolve_reply
from bot.channels.simple_output import WholeMessageOutput
from bot.privacy.address_book import recall_address, remember_address
from bot.privacy.pseudonym import pseudonymous_id
from bot.settings import get_settings
from bot.storage.keys import conversation_key
from bot.storage.redis_client import get_async_redis

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_MESSAGE_CHARS = 4096  # Telegram's limit for one message
# Content Telegram can carry that we cannot read: the person is asked to write text.
NON_TEXT_FIELDS = (
    "voice", "audio", "photo", "sticker", "location", "venue", "document", "video",
    "video_note", "animation", "contact", "poll", "dice", "game", "story",
)

_bot: Optional[Any] = None
_bot_lock: Optional[asyncio.Lock] = None


def make_bot() -> Any:
    """A ``telegram.Bot`` for this process's settings (no I/O yet)."""
    from telegram import Bot
    from telegram.request import HTTPXRequest

    settings = get_settings()
    return Bot(
        settings.telegram_token,
        base_url=f"{settings.telegram_api_base_url}/bot",
        base_file_url=f"{settings.telegram_api_base_url}/file/bot",
        request=HTTPXRequest(connection_pool_size=16, read_timeout=15, connect_timeout=5),
    )


async def get_bot() -> Any:
    """The process's initialised Bot (initialised at start-up; lazily if that failed)."""
    global _bot, _bot_lock
    if _bot is not None:
        return _bot
    if _bot_lock is None:
        _bot_lock = asyncio.Lock()
    async with _bot_lock:
        if _bot is None:
            bot = make_bot()
            await bot.initialize()
            _bot = bot
    return _bot


async def shutdown_bot() -> None:
    global _bot
    if _bot is not None:
        try:
            await _bot.shutdown()
        finally:
            _bot = None


def secret_ok(request: Request) -> bool:
    """Constant-time check of Telegram's secret-token header; no secret set = closed."""
    expected = get_settings().telegram_secret_token
    given = request.headers.get(SECRET_HEADER)
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8"))


def keyboard(buttons: List[Dict[str, str]]) -> Any:
    """Buttons as a one-time reply keyboard, two to a row; taps come back as text."""
    from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove

    if not buttons:
        return ReplyKeyboardRemove()
    rows = [[KeyboardButton(b["title"][:64]) for b in buttons[i:i + 2]] for i in range(0, len(buttons), 2)]
    return ReplyKeyboardMarkup(rows, one_time_keyboard=True, resize_keyboard=True)


def split_for_telegram(text: str) -> List[str]:
    parts = []
    while len(text) > MAX_MESSAGE_CHARS:
        cut = text.rfind("\n", 0, MAX_MESSAGE_CHARS)
        if cut < MAX_MESSAGE_CHARS // 2:
            cut = text.rfind(" ", 0, MAX_MESSAGE_CHARS)
        if cut <= 0:
            cut = MAX_MESSAGE_CHARS
        parts.append(text[:cut])
        text = text[cut:].lstrip()
    parts.append(text)
    return [p for p in parts if p]


def sent_messages_key(sender_id: str) -> str:
    return conversation_key(sender_id, "telegram_sent")


async def send_to_chat(sender_id: str, chat_id: int, text: str, buttons: List[Dict[str, str]]) -> None:
    """Send one bot or counsellor message to a chat, with buttons as a keyboard."""
    bot = await get_bot()
    client = get_async_redis()
    await remember_options(client, sender_id, buttons)
    parts = split_for_telegram(text) or [""]
    for index, part in enumerate(parts):
        markup = keyboard(buttons) if index == len(parts) - 1 else None
        sent = await bot.send_message(chat_id=chat_id, text=part, reply_markup=markup)
        await remember_for_deletion(client, sender_id, sent.message_id)


async def remember_for_deletion(client, sender_id: str, message_id: Optional[int]) -> None:
    """When TELEGRAM_DELETE_AFTER_HOURS is set, note the message for later deletion."""
    if not get_settings().telegram_delete_after_hours or message_id is None:
        return
    key = sent_messages_key(sender_id)
    await client.zadd(key, {str(message_id): time.time()})
    await client.expire(key, get_settings().retention_seconds)


async def delete_old_messages(client, now: Optional[float] = None) -> int:
    """Delete the bot's and the person's messages older than the configured age.

    On a shared or checked phone the chat itself is evidence. Telegram lets a bot
    delete messages in a private chat for 48 hours, so the age must be below that.
    """
    hours = get_settings().telegram_delete_after_hours
    if not hours:
        return 0
    now = time.time() if now is None else now
    bot = await get_bot()
    deleted = 0
    async for key in client.scan_iter(match=f"fristad:conv:{CHANNEL}-*:telegram_sent", count=200):
        sender_id = key.split(":")[2]
        old = await client.zrangebyscore(key, 0, now - hours * 3600)
        if not old:
            continue
        chat = await recall_address(client, sender_id)
        if chat is not None:
            for message_id in old:
                try:
                    await bot.delete_message(chat_id=int(chat), message_id=int(message_id))
                    deleted += 1
                except Exception:  # already deleted by the person, or too old
                    logger.info("a telegram message could not be deleted")
        await client.zrem(key, *old)
    return deleted


class TelegramOutput(WholeMessageOutput):
    """Answers one chat; built per update from the chat id (no I/O here)."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    def __init__(self, chat_id: int) -> None:
        self.chat_id = chat_id

    async def send_whole(self, recipient_id: str, text: str, buttons: List[Dict[str, str]], metadata: Dict[str, Any]) -> None:
        await send_to_chat(recipient_id, self.chat_id, text, buttons)


async def send_outbound(sender_id: str, text: str, buttons: Optional[List[Dict[str, Any]]]) -> None:
    """Outbound sender for the console: the chat id comes from the sealed address."""
    from bot.channels.options import normalise_buttons

    chat = await recall_address(get_async_redis(), sender_id)
    if chat is None:
        raise LookupError("no address for this conversation (expired or erased)")
    await send_to_chat(sender_id, int(chat), text, normalise_buttons(buttons))


def _message_of(update: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    message = update.get("message")
    return message if isinstance(message, dict) else None


class TelegramInput(InputChannel):
    """``POST /webhooks/telegram/webhook``: Telegram's updates, verified and de-duplicated."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TelegramInput":
        return cls()

    def get_output_channel(self) -> None:
        return None  # needs the chat id, which only an update (or the address book) gives

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("fristad_telegram_webhook", __name__)

        at_server_start(webhook, CHANNEL, send_outbound)

        @webhook.listener("before_server_start")
        async def start(app: Any, loop: Any) -> None:
            if not get_settings().telegram_token:
                logger.info("TELEGRAM_TOKEN is not set; the Telegram channel will refuse updates")
                return
            try:
                await get_bot()
            except Exception:  # Telegram unreachable at start-up: retried on first use
                logger.exception("Telegram bot could not be initialised at start-up")
            if get_settings().telegram_delete_after_hours:
                app.add_task(self._deletion_loop())

        @webhook.listener("after_server_stop")
        async def stop(app: Any, loop: Any) -> None:
            await shutdown_bot()

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not secret_ok(request):
                return error(403, "forbidden", "Wrong or missing secret token.")
            body, problem = json_body(request)
            if problem:
                return problem
            if not isinstance(body, dict) or not isinstance(body.get("update_id"), int) or isinstance(body.get("update_id"), bool):
                return error(400, "invalid_update", "Not a Telegram update.")
            message = _message_of(body)
            chat = message.get("chat") if message else None
            if not message or not isinstance(chat, dict) or not isinstance(chat.get("id"), int):
                return response.json({"status": "ignored"})  # edits, callbacks, channel posts
            if chat.get("type", "private") != "private":
                return response.json({"status": "ignored"})  # never work inside groups
            client = get_async_redis()
            update_id = str(body["update_id"])
            if not await dedupe.claim(client, CHANNEL, update_id):
                return response.json({"status": "duplicate"})
            try:
                await self._handle(request, on_new_message, client, message, int(chat["id"]))
            except Exception:
                logger.exception("telegram update %s could not be processed; Telegram will retry", update_id)
                await dedupe.release(client, CHANNEL, update_id)
                return error(503, "unavailable", "Try again later.")
            return response.json({"status": "ok"})

        return webhook

    async def _handle(self, request: Request, on_new_message: Callable, client: Any, message: Dict[str, Any], chat_id: int) -> None:
        address = str(chat_id)
        sender_id = pseudonymous_id(CHANNEL, address)
        await remember_address(client, sender_id, address)
        await remember_for_deletion(client, sender_id, message.get("message_id") if isinstance(message.get("message_id"), int) else None)
        output = TelegramOutput(chat_id)
        sender = message.get("from") if isinstance(message.get("from"), dict) else {}
        hint = sender.get("language_code") if isinstance(sender.get("language_code"), str) else None
        text = message.get("text")
        if not isinstance(text, str) or not clean_text(text):
            if any(field in message for field in NON_TEXT_FIELDS) or text is not None:
                language = await conversation_language(request.app, sender_id, hint)
                rendered = render("utter_please_write_text", language)
                await output.send_whole(sender_id, rendered.text, rendered.buttons, {"language": rendered.language})
            return
        if text.strip().split("@")[0].split(" ")[0] == "/start":
            text = "/greet"
        else:
            chosen = await resolve_reply(client, sender_id, text)
            if chosen:
                text = chosen
        metadata = {"language_hint": hint[:8]} if hint else {}
        await deliver(
            on_new_message, channel=CHANNEL, address=address, text=text, output_channel=output,
            message_id=f"tg-{message.get('message_id')}", metadata=metadata,
        )

    async def _deletion_loop(self) -> None:
        while True:
            await asyncio.sleep(300)
            try:
                await delete_old_messages(get_async_redis())
            except Exception:
                logger.exception("deleting old telegram messages failed")


async def _set_webhook(url: str) -> bool:
    settings = get_settings()
    if not settings.telegram_token or not settings.telegram_secret_token:
        raise SystemExit("TELEGRAM_TOKEN and TELEGRAM_SECRET_TOKEN must be set")
    bot = make_bot()
    async with bot:
        return await bot.set_webhook(
            url=url, secret_token=settings.telegram_secret_token,
            allowed_updates=["message"], drop_pending_updates=False,
        )


async def _delete_webhook() -> bool:
    bot = make_bot()
    async with bot:
        return await bot.delete_webhook()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.channels.telegram")
    commands = parser.add_subparsers(dest="command", required=True)
    set_hook = commands.add_parser("set-webhook", help="tell Telegram where to send updates")
    set_hook.add_argument("url", help="public https URL of /webhooks/telegram/webhook")
    commands.add_parser("delete-webhook", help="stop Telegram sending updates")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    if args.command == "set-webhook":
        ok = asyncio.run(_set_webhook(args.url))
    else:
        ok = asyncio.run(_delete_webhook())
    print("done" if ok else "Telegram refused the request")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
