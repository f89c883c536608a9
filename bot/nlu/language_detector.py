"""Rasa NLU component: the language of each message, with the conversation as prior.

Runs last in the pipeline. Rasa hands NLU components the conversation's tracker
when their ``process`` asks for it, so the detector sees the ``language`` slot
(the prior) and whether the person chose it (``language_locked``). The result
becomes a ``language`` entity, which fills the ``language`` slot that rules,
stories and the NLG use. A certain tier-2 language turns the intent into
``need_interpreter``; a message with no letters at all is not understood.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language import Detection, detect
from bot.language.registry import languages

LANGUAGE_ENTITY = "language"
INTERPRETER_INTENT = "need_interpreter"
FALLBACK_INTENT = "nlu_fallback"
# Sending someone to an interpreter is a strong step: a single word ("ndihme", Albanian
# without its diacritic, looks German) is not evidence enough to take it.
INTERPRETER_MIN_WORDS = 2
INTERPRETER_MIN_CONFIDENCE = 0.9


def _set_intent(message: Message, name: str) -> None:
    intent = {"name": name, "confidence": 1.0}
    message.set(INTENT, intent, add_to_output=True)
    ranking = [intent] + [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetector(GraphComponent):
    """Adds the ``language`` entity; see the module docstring."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message], tracker: Optional[DialogueStateTracker] = None) -> List[Message]:
        previous = tracker.get_slot("language") if tracker else None
        locked = bool(tracker.get_slot("language_locked")) if tracker else False
        for message in messages:
            self._process_one(message, previous, locked)
        return messages

    def _process_one(self, message: Message, previous: Optional[str], locked: bool) -> None:
        text = message.get(TEXT) or ""
        if text.startswith("/"):
            return  # a button payload: Rasa's RegexMessageHandler owns it
        if not any(ch.isalpha() for ch in text):
            _set_intent(message, FALLBACK_INTENT)
            return
        detection = detect(text, previous=previous, locked=locked)
        code, confidence = detection.language, detection.confidence
        language = languages().get(code)
        if language is not None and language.tier > 1:
            if self._sure_enough_for_an_interpreter(text, detection):
                _set_intent(message, INTERPRETER_INTENT)
            else:
                # Not sure enough to leave the languages we speak fully: keep the
                # conversation's language, or take the best of those we speak.
                code, confidence = self._best_tier_one(detection, previous)
                if code is None:
                    return
        entity = {
            "entity": LANGUAGE_ENTITY,
            "value": code,
            "start": 0,
            "end": len(text),
            "confidence_entity": round(confidence, 4),
            "certain": detection.certain and code == detection.language,
            "extractor": self.__class__.__name__,
        }
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)

    @staticmethod
    def _sure_enough_for_an_interpreter(text: str, detection: Detection) -> bool:
        return (
            detection.certain
            and detection.confidence >= INTERPRETER_MIN_CONFIDENCE
            and len(text.split()) >= INTERPRETER_MIN_WORDS
        )

    @staticmethod
    def _best_tier_one(detection: Detection, previous: Optional[str]) -> Tuple[Optional[str], float]:
        if previous:
            return previous, 1.0
        tier_one = {c: p for c, p in (detection.scores or {}).items() if c in languages() and languages()[c].tier == 1}
        if not tier_one:
            return None, 0.0
        best = max(tier_one, key=tier_one.get)
        return best, tier_one[best]
