"""An OutputChannel that sees each bot message whole: text, buttons and metadata.

Rasa's default ``send_response`` splits a message into several calls and loses the
metadata (the language and writing direction the NLG adds); channels here need them.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.core.channels.channel import OutputChannel

from bot.channels.options import normalise_buttons


class WholeMessageOutput(OutputChannel):
    """Subclasses implement :meth:`send_whole`."""

    async def send_whole(self, recipient_id: str, text: str, buttons: List[Dict[str, str]], metadata: Dict[str, Any]) -> None:
        raise NotImplementedError

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        text = message.get("text") or ""
        buttons = normalise_buttons(message.get("buttons") or message.get("quick_replies"))
        if message.get("image") and not text:
            text = str(message["image"])
        if not text and not buttons:
            return
        await self.send_whole(recipient_id, str(text), buttons, dict(message.get("metadata") or {}))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_whole(recipient_id, text, [], dict(kwargs.get("metadata") or {}))

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_whole(recipient_id, text, normalise_buttons(buttons), dict(kwargs.get("metadata") or {}))
