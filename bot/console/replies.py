"""Ready-made replies: the counsellor picks one read in Swedish or English; the person
gets the same text in their own language, from translations/."""
from __future__ import annotations

from typing import Dict, List

from bot.console.effects import catalog

READY_REPLIES = (
    "utter_human_requested",
    "utter_legal_help",
    "utter_need_shelter",
    "utter_medical_help",
    "utter_labour_exploitation",
    "utter_sexual_exploitation",
    "utter_passport_taken",
    "utter_fear_police",
    "utter_minor",
    "utter_emergency",
)
PREVIEW_LANGUAGES = ("sv", "en")


def ready_replies() -> List[Dict[str, str]]:
    """Keys with their Swedish and English text, for the console's list."""
    texts = catalog().texts
    return [
        {"key": key, **{lang: catalog().render(key, lang).text for lang in PREVIEW_LANGUAGES}}
        for key in READY_REPLIES
        if key in texts.get("en", {})
    ]


def is_ready_reply(key: str) -> bool:
    return key in READY_REPLIES and key in catalog().texts.get("en", {})
