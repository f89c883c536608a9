"""The NLU component uses the conversation's language as a prior."""
from __future__ import annotations

from typing import Optional

import pytest

from rasa.shared.core.events import SlotSet
from rasa.shared.core.slots import BooleanSlot, TextSlot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.language_detector import LanguageDetector


def tracker(language: Optional[str], locked: bool = False) -> DialogueStateTracker:
    result = DialogueStateTracker("s", slots=[TextSlot("language", mappings=[]), BooleanSlot("language_locked", mappings=[])])
    if language:
        result.update(SlotSet("language", language))
    if locked:
        result.update(SlotSet("language_locked", True))
    return result


def run(text: str, conversation: Optional[DialogueStateTracker] = None, intent: str = "greet") -> Message:
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.9}, "intent_ranking": [{"name": intent, "confidence": 0.9}]})
    LanguageDetector().process([message], conversation)
    return message


def language_of(message: Message) -> Optional[str]:
    found = [e["value"] for e in message.get("entities") or [] if e["entity"] == "language"]
    return found[0] if found else None


def test_detects_without_a_conversation() -> None:
    assert language_of(run("hej, jag behöver hjälp")) == "sv"
    assert language_of(run("مرحبا، أحتاج مساعدة")) == "ar"


def test_short_reply_keeps_the_conversation_language() -> None:
    assert language_of(run("ok", tracker("ar"))) == "ar"


def test_locked_choice_wins() -> None:
    assert language_of(run("I need help with my passport please", tracker("sv", locked=True))) == "sv"


def test_button_payloads_are_left_to_rasa() -> None:
    message = run('/choose_language{"language":"ar"}', tracker("sv"))
    assert language_of(message) is None


def test_no_letters_is_not_understood() -> None:
    message = run("😀😀 123", tracker("sv"))
    assert message.get("intent")["name"] == "nlu_fallback"


def test_tier_two_language_goes_to_an_interpreter() -> None:
    message = run("Merhaba, yardıma ihtiyacım var, patronum pasaportumu aldı")
    assert language_of(message) == "tr"
    assert message.get("intent")["name"] == "need_interpreter"


def test_one_word_is_not_enough_to_send_to_an_interpreter() -> None:
    message = run("ndihme")
    assert message.get("intent")["name"] != "need_interpreter"


def test_an_unsure_tier_two_guess_keeps_the_conversation_language() -> None:
    assert language_of(run("ndihme", tracker("sq"))) == "sq"


@pytest.mark.parametrize("text", [
    "assalam o alaikum, mujhe madad chahiye, malik ne mera passport rakh liya hai",
    "bhai mujhe koi batao mai kya karun, teen mahine se tankhwah nahi mili",
])
def test_urdu_in_latin_letters_goes_to_an_interpreter(text: str) -> None:
    """Roman Urdu (written for this test, in no training file) once read as Amharic or
    Persian in Latin letters: the person would have been answered in a script they did
    not write."""
    message = run(text)
    assert language_of(message) == "ur"
    assert message.get("intent")["name"] == "need_interpreter"
