"""Rasa NLG that answers in the conversation's language (``endpoints.yml`` ``nlg:``)."""
from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Text

from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.nlg.catalog import LANGUAGE_MENU, get_catalog

logger = logging.getLogger(__name__)

LANGUAGE_SLOT = "language"


class TranslationNLG(NaturalLanguageGenerator):
    """Renders ``utter_*`` responses from translations/<language>.yml."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None) -> None:
        self.catalog = get_catalog()

    async def generate(
        self,
        utter_action: Text,
        tracker: DialogueStateTracker,
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        # An action may name the language (the slot it sets changes only after it runs).
        language = kwargs.get(LANGUAGE_SLOT) or tracker.get_slot(LANGUAGE_SLOT)
        variables: Dict[str, Any] = {k: v for k, v in tracker.current_slot_values().items() if v is not None}
        variables.update(kwargs)
        rendered = self.catalog.render(utter_action, language, variables)
        message = rendered.as_dict()
        if self._language_unsure(tracker) and utter_action != LANGUAGE_MENU:
            message["buttons"] = [*message.get("buttons", []), self.catalog.change_language_button(rendered.language)]
        message["metadata"] = {"language": rendered.language, "direction": self._direction(rendered.language)}
        return message

    @staticmethod
    def _language_unsure(tracker: DialogueStateTracker) -> bool:
        """The detector was unsure of this message's language and the person has not chosen."""
        if tracker.get_slot("language_locked"):
            return False
        entities = (tracker.latest_message.parse_data or {}).get("entities", []) if tracker.latest_message else []
        found = [e for e in entities if e.get("entity") == LANGUAGE_SLOT]
        return bool(found) and not found[-1].get("certain", True)

    def _direction(self, language: str) -> str:
        lang = self.catalog.languages.get(language)
        return lang.direction if lang else "ltr"
