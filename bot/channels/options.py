"""The buttons last shown in a conversation, so a reply can be mapped back to a payload.

SMS shows buttons as numbered lines ("1 Yes", "2 No") and Telegram as a reply
keyboard whose taps arrive as plain text; either way the person's answer ("2", or
the button's title) becomes the button's payload before Rasa sees it. Kept under
the conversation prefix with the retention as time-to-live.
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional

from bot.settings import get_settings
from bot.storage.keys import conversation_key

MAX_OPTIONS = 40
_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def options_key(sender_id: str) -> str:
    return conversation_key(sender_id, "options")


def normalise_buttons(buttons: Any) -> List[Dict[str, str]]:
    """Buttons with a string title and payload, at most MAX_OPTIONS; anything else dropped."""
    result = []
    for button in buttons or []:
        if isinstance(button, dict) and button.get("title") is not None:
            title = str(button["title"])
            result.append({"title": title, "payload": str(button.get("payload") or title)})
    return result[:MAX_OPTIONS]


async def remember_options(client, sender_id: str, buttons: List[Dict[str, str]]) -> None:
    if buttons:
        await client.set(options_key(sender_id), json.dumps(buttons), ex=get_settings().retention_seconds)
    else:
        await client.delete(options_key(sender_id))


async def resolve_reply(client, sender_id: str, text: str) -> Optional[str]:
    """The payload ``text`` chooses ("2" or a button title), or None when it is free text."""
    raw = await client.get(options_key(sender_id))
    if not raw:
        return None
    try:
        buttons = json.loads(raw)
    except ValueError:
        return None
    number = _NUMBER.match(text)
    if number:
        index = int(number.group(1)) - 1
        if 0 <= index < len(buttons):
            return buttons[index]["payload"]
        return None
    folded = text.strip().casefold()
    for button in buttons:
        if button["title"].strip().casefold() == folded:
            return button["payload"]
    return None
