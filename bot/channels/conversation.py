"""What a channel may ask about a conversation without running a Rasa turn."""
from __future__ import annotations

import logging
from typing import Any, Optional

from bot.nlg.catalog import Rendered, get_catalog
from bot.settings import get_settings

logger = logging.getLogger(__name__)
LANGUAGE_SLOT = "language"


async def conversation_language(app: Any, sender_id: str, hint: Optional[str] = None) -> str:
    """The language the conversation is in (tracker slot), else ``hint``, else the default.

    Used for replies a channel gives by itself (a photo, STOP, HELP), which must
    still be in the person's language.
    """
    catalog = get_catalog()
    agent = getattr(getattr(app, "ctx", None), "agent", None) if app is not None else None
    store = getattr(agent, "tracker_store", None)
    if store is not None:
        try:
            tracker = await store.retrieve(sender_id)
            language = tracker.get_slot(LANGUAGE_SLOT) if tracker else None
            if language in catalog.texts:
                return language
        except Exception:  # the reply still goes out, in the fallback language
            logger.exception("could not read the conversation's language")
    if hint:
        code = hint.split("-")[0].lower()
        if code in catalog.texts:
            return code
    return catalog.language_or_fallback(get_settings().default_language)


def render(key: str, language: str) -> Rendered:
    return get_catalog().render(key, language)


def direction(language: str) -> str:
    lang = get_catalog().languages.get(language)
    return lang.direction if lang else "ltr"
