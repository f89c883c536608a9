"""The NLG answers in the conversation's language and never fails to answer."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
import yaml
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.language.registry import load_languages
from bot.nlg.catalog import Catalog, get_catalog
from bot.nlg.generator import TranslationNLG
from bot.settings import PROJECT_ROOT


def tracker_in(language: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker("test-sender", slots=[])
    from rasa.shared.core.slots import TextSlot

    tracker.slots["language"] = TextSlot("language", mappings=[])
    tracker.update(SlotSet("language", language))
    return tracker


async def test_answers_in_the_slot_language() -> None:
    nlg = TranslationNLG()
    message = await nlg.generate("utter_greet", tracker_in("sv"), "rest")
    assert message["text"] == get_catalog().texts["sv"]["utter_greet"]
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]
    assert message["metadata"] == {"language": "sv", "direction": "ltr"}


async def test_right_to_left_languages_say_so() -> None:
    message = await TranslationNLG().generate("utter_greet", tracker_in("ar"), "rest")
    assert message["metadata"]["direction"] == "rtl"


async def test_action_can_name_the_language() -> None:
    message = await TranslationNLG().generate("utter_language_changed", tracker_in("en"), "rest", language="sv")
    assert message["text"] == get_catalog().texts["sv"]["utter_language_changed"]


def test_placeholders_are_filled_from_resources() -> None:
    text = get_catalog().render("utter_emergency", "en").text
    assert "112" in text and "{" not in text


def test_the_emergency_text_promises_no_counsellor() -> None:
    """utter_emergency is followed by the queue's own message: "a counsellor will write
    soon" by day, "no counsellor is online" at night. It must not promise one itself,
    or at night the two contradict each other."""
    texts = get_catalog().texts
    assert "counsellor" not in texts["en"]["utter_emergency"].lower()
    assert "rådgivare" not in texts["sv"]["utter_emergency"].lower()
    assert "counsellor" in texts["en"]["utter_no_counsellor_online"].lower()


def test_missing_key_falls_back_to_english_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    for name in ("_layout.yml", "en.yml", "sv.yml"):
        shutil.copy(PROJECT_ROOT / "translations" / name, tmp_path / name)
    swedish = yaml.safe_load((tmp_path / "sv.yml").read_text(encoding="utf-8"))
    del swedish["texts"]["utter_thanks"]
    (tmp_path / "sv.yml").write_text(yaml.safe_dump(swedish, allow_unicode=True), encoding="utf-8")
    load_languages.cache_clear()
    catalog = Catalog(tmp_path, {"emergency_number": "112"}, retention_days=30)
    with caplog.at_level(logging.WARNING):
        rendered = catalog.render("utter_thanks", "sv")
    assert rendered.language == "en"
    assert rendered.text == catalog.texts["en"]["utter_thanks"]
    assert "translation missing" in caplog.text
    load_languages.cache_clear()


def test_unknown_language_and_unknown_key_still_answer() -> None:
    catalog = get_catalog()
    assert catalog.render("utter_greet", "xx").language == "en"
    assert catalog.render("utter_greet", None).text == catalog.texts["en"]["utter_greet"]
    assert catalog.render("utter_does_not_exist", "sv").text  # the "not understood" text, never empty


def test_language_menu_names_each_language_in_its_own_script() -> None:
    buttons = get_catalog().render("utter_language_menu", "ar").buttons
    titles = {b["title"] for b in buttons}
    assert {"العربية", "Svenska", "English"} <= titles or {"عربي", "Svenska", "English"} <= titles
    assert buttons[0]["payload"] == '/choose_language{"language":"ar"}'


async def test_an_unsure_language_offers_the_language_menu() -> None:
    from rasa.shared.core.events import UserUttered

    tracker = tracker_in("en")
    entity = {"entity": "language", "value": "en", "certain": False}
    tracker.update(UserUttered("hi", {"name": "greet", "confidence": 1.0}, [entity]))
    message = await TranslationNLG().generate("utter_greet", tracker, "rest")
    assert message["buttons"][-1]["payload"] == "/change_language"
    tracker.update(UserUttered("hello there, I need help", {"name": "greet", "confidence": 1.0}, [{**entity, "certain": True}]))
    message = await TranslationNLG().generate("utter_greet", tracker, "rest")
    assert all(b["payload"] != "/change_language" for b in message["buttons"])
