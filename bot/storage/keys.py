"""Redis key names. Every key that belongs to one conversation starts with
``conversation_prefix(sender_id)`` so that erasing a conversation is one SCAN."""
from __future__ import annotations

ROOT = "fristad"
# Rasa's RedisTrackerStore builds "<prefix>:tracker:<sender_id>" from an alphanumeric prefix.
TRACKER_KEY_PREFIX = ROOT


def tracker_key(sender_id: str) -> str:
    return f"{ROOT}:tracker:{sender_id}"


def conversation_prefix(sender_id: str) -> str:
    return f"{ROOT}:conv:{sender_id}:"


def conversation_key(sender_id: str, part: str) -> str:
    return f"{conversation_prefix(sender_id)}{part}"
