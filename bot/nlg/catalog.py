"""The texts the bot says, per language, with the buttons from ``_layout.yml``.

A missing key falls back to English with a warning, never an exception: a person
must always get an answer. ``tests/test_translations.py`` makes sure no gap ships.
"""
from __future__ import annotations

import functools
import json
import logging
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import yaml

from bot.language.registry import LAYOUT_FILE, Language, load_languages, read_yaml, translation_files

logger = logging.getLogger(__name__)

FALLBACK_LANGUAGE = "en"
LANGUAGE_MENU = "utter_language_menu"
_FIELD = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Rendered:
    text: str
    buttons: List[Dict[str, str]]
    language: str

    def as_dict(self) -> Dict[str, Any]:
        message: Dict[str, Any] = {"text": self.text}
        if self.buttons:
            message["buttons"] = self.buttons
        return message


class _Blank(dict):
    """Unknown placeholders become empty instead of raising (and are reported)."""

    def __missing__(self, key: str) -> str:
        logger.warning("no value for placeholder {%s}", key)
        return ""


def placeholders(text: str) -> List[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def load_resources(path: Path) -> Dict[str, str]:
    """Verified resource facts (phone numbers etc.) by key; unverified ones are left out."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    return {
        key: str(entry.get("value", ""))
        for key, entry in data.items()
        if isinstance(entry, dict) and entry.get("verified") and entry.get("value")
    }


def language_menu_payload(code: str) -> str:
    return "/choose_language" + json.dumps({"language": code}, separators=(",", ":"))


class Catalog:
    """All translations, loaded once per process."""

    def __init__(self, translations_dir: Path, resources: Mapping[str, str], retention_days: int) -> None:
        self.languages: Mapping[str, Language] = load_languages(translations_dir)
        layout = read_yaml(translations_dir / LAYOUT_FILE)
        self.button_payloads: Dict[str, str] = dict(layout.get("buttons") or {})
        self.response_buttons: Dict[str, List[str]] = {k: list(v or []) for k, v in (layout.get("responses") or {}).items()}
        self.texts: Dict[str, Dict[str, str]] = {}
        self.button_titles: Dict[str, Dict[str, str]] = {}
        self.ui: Dict[str, Dict[str, str]] = {}  # labels of the web widget's page
        for path in translation_files(translations_dir):
            data = read_yaml(path)
            self.texts[path.stem] = {k: str(v) for k, v in (data.get("texts") or {}).items()}
            self.button_titles[path.stem] = {k: str(v) for k, v in (data.get("buttons") or {}).items()}
            self.ui[path.stem] = {k: str(v) for k, v in (data.get("ui") or {}).items()}
        self.variables: Dict[str, Any] = {**resources, "retention_days": retention_days}

    def language_or_fallback(self, language: Optional[str]) -> str:
        return language if language in self.texts else FALLBACK_LANGUAGE

    def text(self, key: str, language: Optional[str]) -> tuple:
        """(text, language it is really in): English when the key is missing."""
        lang = self.language_or_fallback(language)
        value = self.texts[lang].get(key)
        if value is None:
            logger.warning("translation missing: %s in %s, using %s", key, lang, FALLBACK_LANGUAGE)
            lang = FALLBACK_LANGUAGE
            value = self.texts[FALLBACK_LANGUAGE].get(key)
        if value is None:
            logger.warning("response %s does not exist", key)
            value = self.texts[lang].get("utter_default", "")
        return value, lang

    def buttons(self, key: str, language: str) -> List[Dict[str, str]]:
        if key == LANGUAGE_MENU:
            ordered = sorted(self.languages.values(), key=lambda l: (l.tier, l.code != language, l.english_name))
            return [{"title": lang.name, "payload": language_menu_payload(lang.code)} for lang in ordered]
        titles = self.button_titles.get(language, {})
        english = self.button_titles.get(FALLBACK_LANGUAGE, {})
        names = self.response_buttons.get(key, [])
        if self.languages[language].tier != 1:
            # A tier-2 person sees only buttons written in their language.
            names = [name for name in names if name in titles]
        return [{"title": titles.get(name) or english.get(name, name), "payload": self.button_payloads[name]} for name in names]

    def ui_labels(self, language: Optional[str]) -> Dict[str, str]:
        """The widget page's labels in ``language``, English for any it lacks."""
        return {**self.ui[FALLBACK_LANGUAGE], **self.ui.get(self.language_or_fallback(language), {})}

    def change_language_button(self, language: str) -> Dict[str, str]:
        """ "Change language" in the reply's language and, if different, in English."""
        title = self.button_titles.get(language, {}).get("change_language")
        english = self.button_titles[FALLBACK_LANGUAGE]["change_language"]
        label = english if not title or title == english else f"{title} / {english}"
        return {"title": label, "payload": self.button_payloads["change_language"]}

    def render(self, key: str, language: Optional[str], variables: Optional[Mapping[str, Any]] = None) -> Rendered:
        template, lang = self.text(key, language)
        values = _Blank(self.variables)
        values.update({k: v for k, v in (variables or {}).items() if v is not None})
        text = template.format_map(values) if "{" in template else template
        return Rendered(text=text, buttons=self.buttons(key, lang), language=lang)


@functools.lru_cache(maxsize=1)
def get_catalog() -> Catalog:
    from bot.settings import get_settings

    settings = get_settings()
    return Catalog(
        settings.translations_dir,
        load_resources(settings.resources_file),
        retention_days=max(1, settings.retention_seconds // 86400),
    )
