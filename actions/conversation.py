"""Reading a conversation: what the person last asked about, and in which language."""
from __future__ import annotations

from typing import List, Optional

from rasa_sdk import Tracker

TOPIC_INTENTS = frozenset(
    {
        "emergency", "passport_taken", "need_shelter", "medical_help", "legal_help",
        "labour_exploitation", "sexual_exploitation", "minor", "fear_police",
    }
)


def user_intents(tracker: Tracker) -> List[str]:
    """Intents of the person's messages in this session, oldest first."""
    return [
        (event.get("parse_data") or {}).get("intent", {}).get("name") or ""
        for event in tracker.events
        if event.get("event") == "user"
    ]


def latest_topic(tracker: Tracker) -> Optional[str]:
    for intent in reversed(user_intents(tracker)):
        if intent in TOPIC_INTENTS:
            return intent
    return None


def language(tracker: Tracker) -> str:
    return tracker.get_slot("language") or "en"


def channel(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"
