"""The person chose a language: from the menu's buttons, or by writing its name."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.language.registry import languages


def language_named(text: str) -> Optional[str]:
    """The code of the language whose own or English name the text contains."""
    lowered = text.casefold()
    for code, lang in languages().items():
        if lang.name.casefold() in lowered or lang.english_name.casefold() in lowered:
            return code
    return None


class ActionChooseLanguage(Action):
    """The choice wins over detection from now on (``language_locked``)."""

    def name(self) -> Text:
        return "action_choose_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        chosen = None if text.startswith("/") else language_named(text)
        code = chosen or tracker.get_slot("language") or "en"
        events: List[Dict[Text, Any]] = [SlotSet("language", code), SlotSet("language_locked", True)]
        tier = languages()[code].tier if code in languages() else 1
        # The slot changes only after this action, so the reply names its language itself.
        dispatcher.utter_message(response="utter_language_changed" if tier == 1 else "utter_interpreter", language=code)
        return events
