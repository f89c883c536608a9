"""The sender id Rasa and the queue see: a keyed hash of channel and address.

Without the key nobody can tell which phone number or chat a conversation
belongs to, and the same person on the same channel keeps one conversation.
"""
from __future__ import annotations

import hashlib
import hmac
import logging

from bot.settings import get_settings

logger = logging.getLogger(__name__)
_DEV_KEY = "fristad-development-key-do-not-use-in-production"


def pseudonym_key() -> bytes:
    key = get_settings().pseudonym_key
    if not key:
        logger.warning("FRISTAD_PSEUDONYM_KEY is not set; using a development key")
        key = _DEV_KEY
    return key.encode("utf-8")


def pseudonymous_id(channel: str, address: str) -> str:
    """HMAC-SHA256 of ``channel:address``, hex, prefixed by the channel for routing."""
    digest = hmac.new(pseudonym_key(), f"{channel}:{address}".encode("utf-8"), hashlib.sha256)
    return f"{channel}-{digest.hexdigest()[:40]}"
