"""Every language file has every key it must have, with the same placeholders."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.language.registry import languages, read_yaml, translation_files
from bot.nlg.catalog import get_catalog, load_resources, placeholders
from bot.settings import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
LAYOUT = read_yaml(TRANSLATIONS / "_layout.yml")
ENGLISH = read_yaml(TRANSLATIONS / "en.yml")
FILES = list(translation_files(TRANSLATIONS))
TIER1 = sorted(code for code, lang in languages(TRANSLATIONS).items() if lang.tier == 1)
REQUIRED_TIER1 = "sv en ar fa ro bg ru uk es fr th so ti am sq hu vi zh pl tl".split()


def test_layout_and_english_agree() -> None:
    assert set(LAYOUT["responses"]) == set(ENGLISH["texts"])
    assert set(LAYOUT["buttons"]) == set(ENGLISH["buttons"])
    for key, buttons in LAYOUT["responses"].items():
        assert set(buttons) <= set(LAYOUT["buttons"]), key


def test_the_twenty_languages_are_tier_one() -> None:
    missing = set(REQUIRED_TIER1) - set(TIER1)
    assert not missing, f"tier-1 translation files missing: {sorted(missing)}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_language_file_has_every_key(path: Path) -> None:
    data = read_yaml(path)
    meta = data["language"]
    assert meta["code"] == path.stem
    assert meta["direction"] in {"ltr", "rtl"}
    assert meta["name"].strip() and meta["english_name"].strip()
    texts, buttons = data.get("texts") or {}, data.get("buttons") or {}
    if meta.get("tier", 1) == 1:
        expected_texts, expected_buttons = set(ENGLISH["texts"]), set(ENGLISH["buttons"])
    else:
        expected_texts, expected_buttons = set(LAYOUT["tier2_responses"]), set(LAYOUT["tier2_buttons"])
    assert set(texts) == expected_texts, f"missing {sorted(expected_texts - set(texts))}, extra {sorted(set(texts) - expected_texts)}"
    assert set(buttons) == expected_buttons, f"missing {sorted(expected_buttons - set(buttons))}"
    for key, text in texts.items():
        assert isinstance(text, str) and text.strip(), key
        assert sorted(placeholders(text)) == sorted(placeholders(ENGLISH["texts"][key])), key
    assert set(data.get("ui") or {}) == set(ENGLISH["ui"]), "the widget page's labels (ui:) differ from en.yml"
    for key, title in buttons.items():
        assert isinstance(title, str) and 0 < len(title) <= 40, key


def test_every_placeholder_has_a_value() -> None:
    """Resource placeholders must point at verified resources; the rest come from slots."""
    runtime = {"queue_position", "wait_minutes", "counsellor_name", "retention_days"}
    resources = load_resources(PROJECT_ROOT / "resources.yml")
    used = {name for text in ENGLISH["texts"].values() for name in placeholders(text)}
    assert used - runtime <= set(resources), sorted(used - runtime - set(resources))


def test_every_rule_response_is_in_the_domain() -> None:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(domain["responses"]) <= set(LAYOUT["responses"])


def test_tier_two_texts_render_without_english() -> None:
    catalog = get_catalog()
    for code, lang in catalog.languages.items():
        if lang.tier == 2:
            for key in LAYOUT["tier2_responses"]:
                assert catalog.render(key, code).language == code
