"""Redis key names of the handoff queue.

Per-conversation state lives under ``conversation_prefix(sender_id)`` (erased with
one SCAN, expires with retention). The few global indexes (team queues, leases,
who holds what, the console event stream) are listed here so that
``bot.handoff.erase`` can clean every one of them.
"""
from __future__ import annotations

from bot.storage.keys import ROOT, conversation_key

HANDOFF_ROOT = f"{ROOT}:handoff:"
LEASES = f"{HANDOFF_ROOT}leases"  # zset sender_id -> lease end (ms)
EVENTS = f"{HANDOFF_ROOT}events"  # stream of console events (ids only, never text)
CONV_PREFIX = f"{ROOT}:conv:"  # Lua builds state keys as CONV_PREFIX .. sender_id .. STATE_SUFFIX
STATE_SUFFIX = ":handoff"
EVENTS_MAXLEN = 10_000
RELAY_MAXLEN = 5_000


def presence_key(team: str) -> str:
    """Zset: login names of a team's counsellors at the console -> their last beat (ms)."""
    return f"{HANDOFF_ROOT}present:{team}"


def state_key(sender_id: str) -> str:
    """Hash: state, team, language, urgency, counsellor, lease..."""
    return conversation_key(sender_id, "handoff")


def relay_key(sender_id: str) -> str:
    """Stream: messages of the handoff (person, counsellor, bot), in order."""
    return conversation_key(sender_id, "relay")


def seen_key(sender_id: str, message_id: str) -> str:
    """SET NX marker so a message id is relayed once, whichever process sees it."""
    return conversation_key(sender_id, f"seen:{message_id}")


def notes_key(sender_id: str) -> str:
    """List of counsellors' private notes (never shown to the person)."""
    return conversation_key(sender_id, "notes")


def outbox_key(sender_id: str) -> str:
    """List of texts for a channel that cannot push (REST)."""
    return conversation_key(sender_id, "outbox")


def team_queue(team: str) -> str:
    return f"{HANDOFF_ROOT}queue:{team}"


def team_language_queue(team: str, language: str) -> str:
    return f"{HANDOFF_ROOT}queue:{team}:{language}"


def direct_queue(counsellor: str) -> str:
    """Conversations transferred to one counsellor by name."""
    return f"{HANDOFF_ROOT}direct:{counsellor}"


def held_set(counsellor: str) -> str:
    return f"{HANDOFF_ROOT}held:{counsellor}"
