"""Training data: every intent has enough examples in every tier-1 language,
and nothing in it comes from the public evaluation data."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from bot.language.registry import languages
from bot.settings import PROJECT_ROOT

NLU_DIR = PROJECT_ROOT / "nlu_data" / "nlu"
EVAL_DIR = PROJECT_ROOT.parent / "shared" / "eval"
REQUIRED_INTENTS = (
    "greet goodbye affirm deny request_human emergency passport_taken need_shelter medical_help legal_help "
    "labour_exploitation sexual_exploitation minor fear_police ask_anonymity delete_data change_language "
    "bot_challenge thanks out_of_scope"
).split()
MIN_EXAMPLES = 15
TIER1 = sorted(code for code, lang in languages(PROJECT_ROOT / "translations").items() if lang.tier == 1)


def examples(path: Path) -> Dict[str, List[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found: Dict[str, List[str]] = defaultdict(list)
    for block in data.get("nlu", []):
        if "intent" in block:
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found[block["intent"]].append(line[2:].strip())
    return found


@pytest.mark.parametrize("language", TIER1)
def test_every_intent_has_enough_examples(language: str) -> None:
    path = NLU_DIR / f"{language}.yml"
    assert path.exists(), f"no training data for {language}"
    found = examples(path)
    short = {intent: len(found.get(intent, [])) for intent in REQUIRED_INTENTS if len(found.get(intent, [])) < MIN_EXAMPLES}
    assert not short, f"{language}: intents with fewer than {MIN_EXAMPLES} examples: {short}"


def test_no_training_example_is_copied_from_the_evaluation_data() -> None:
    if not EVAL_DIR.exists():
        pytest.skip("../shared/eval not present")
    evaluation = set()
    for path in (EVAL_DIR / "langid").rglob("*.txt"):
        evaluation.update(line.strip().casefold() for line in path.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 12)
    for line in (EVAL_DIR / "out_of_scope_home_assistant.jsonl").read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"].strip().casefold()
        if len(text) > 12:
            evaluation.add(text)
    copied = [
        (path.name, text)
        for path in NLU_DIR.glob("*.yml")
        for texts in examples(path).values()
        for text in texts
        if text.casefold() in evaluation
    ]
    assert not copied, copied[:10]
