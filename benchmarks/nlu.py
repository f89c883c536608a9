"""NLU quality per language: k-fold cross-validation and the false-alarm rate.

``python -m benchmarks.nlu [--folds 5] [--markdown]``

Cross-validation trains on all languages at once (as production does), holding out
a stratified fifth of every (language, intent) pair per fold, and scores the held-out
examples per language: intent macro-F1 and a confusion matrix PNG per language.
The false-alarm rate parses ``../shared/eval/out_of_scope_home_assistant.jsonl``
(smart-home commands, never trained on) with the production model and counts the
share classified as a help intent above the fallback threshold.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import yaml

from bot.settings import PROJECT_ROOT

NLU_DIR = PROJECT_ROOT / "nlu_data" / "nlu"
RESULTS = PROJECT_ROOT / "results" / "nlu"
HELP_INTENTS = frozenset(
    "emergency passport_taken need_shelter medical_help labour_exploitation sexual_exploitation minor request_human".split()
)
Example = Tuple[str, str, str]  # language, intent, text


def eval_dir() -> Path:
    return Path(os.environ.get("FRISTAD_EVAL_DIR", PROJECT_ROOT.parent / "shared" / "eval"))


def load_examples() -> List[Example]:
    found: List[Example] = []
    for path in sorted(NLU_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in data.get("nlu", []):
            for line in block.get("examples", "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found.append((path.stem, block["intent"], line[2:].strip()))
    return found


def folds(examples: Sequence[Example], k: int, seed: int = 13) -> List[List[int]]:
    """Indices per fold, stratified by (language, intent)."""
    groups: Dict[Tuple[str, str], List[int]] = defaultdict(list)
    for index, (language, intent, _) in enumerate(examples):
        groups[(language, intent)].append(index)
    rng = random.Random(seed)
    result: List[List[int]] = [[] for _ in range(k)]
    for members in groups.values():
        rng.shuffle(members)
        for position, index in enumerate(members):
            result[position % k].append(index)
    return result


def write_nlu(examples: Sequence[Example], path: Path) -> None:
    by_intent: Dict[str, List[str]] = defaultdict(list)
    for _, intent, text in examples:
        by_intent[intent].append(text)
    blocks = [{"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)} for intent, texts in by_intent.items()]
    path.write_text(yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True, sort_keys=False), encoding="utf-8")


def train_nlu(examples: Sequence[Example], workdir: Path) -> str:
    from rasa.model_training import train_nlu as rasa_train_nlu

    data = workdir / "nlu.yml"
    write_nlu(examples, data)
    model = rasa_train_nlu(
        config=str(PROJECT_ROOT / "config.yml"), nlu_data=str(data), output=str(workdir), fixed_model_name="cv",
        domain=str(PROJECT_ROOT / "domain.yml"),
    )
    return str(model)


def parse_all(model_path: str, texts: Sequence[str]) -> List[Tuple[str, float]]:
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)

    async def run() -> List[Tuple[str, float]]:
        results = []
        for text in texts:
            parsed = await agent.parse_message(text)
            intent = parsed.get("intent") or {}
            results.append((intent.get("name") or "", float(intent.get("confidence") or 0.0)))
        return results

    return asyncio.run(run())


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    labels = sorted(set(truth))
    scores = []
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted) if t == label and p == label)
        fp = sum(1 for t, p in zip(truth, predicted) if t != label and p == label)
        fn = sum(1 for t, p in zip(truth, predicted) if t == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def confusion_png(language: str, truth: Sequence[str], predicted: Sequence[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = sorted(set(truth) | set(predicted))
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for t, p in zip(truth, predicted):
        matrix[index[t]][index[p]] += 1
    figure, axes = plt.subplots(figsize=(9, 8))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    axes.set_yticks(range(len(labels)), labels, fontsize=7)
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            if value:
                axes.text(j, i, str(value), ha="center", va="center", fontsize=6, color="white" if i == j else "black")
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(f"Intent confusion, {language} (cross-validation)")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def fallback_threshold() -> float:
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "FallbackClassifier":
            return float(component.get("threshold", 0.3))
    return 0.0


def cross_validate(examples: List[Example], k: int) -> Dict[str, Tuple[List[str], List[str]]]:
    per_language: Dict[str, Tuple[List[str], List[str]]] = defaultdict(lambda: ([], []))
    for number, held_out in enumerate(folds(examples, k), start=1):
        held = set(held_out)
        train = [e for i, e in enumerate(examples) if i not in held]
        test = [examples[i] for i in held_out]
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="fristad-cv-") as tmp:
            model = train_nlu(train, Path(tmp))
            predictions = parse_all(model, [text for _, _, text in test])
        print(f"fold {number}/{k}: trained on {len(train)}, tested {len(test)} in {time.monotonic() - started:.0f} s", flush=True)
        for (language, intent, _), (predicted, _) in zip(test, predictions):
            per_language[language][0].append(intent)
            per_language[language][1].append(predicted)
    return per_language


def false_alarms(model_path: str) -> Dict[str, Tuple[int, int]]:
    path = eval_dir() / "out_of_scope_home_assistant.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    threshold = fallback_threshold()
    predictions = parse_all(model_path, [row["text"] for row in rows])
    counts: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    for row, (intent, confidence) in zip(rows, predictions):
        counts[row["lang"]][1] += 1
        if intent in HELP_INTENTS and confidence >= threshold:
            counts[row["lang"]][0] += 1
    return {language: (alarms, total) for language, (alarms, total) in counts.items()}


def machine() -> str:
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.nlu")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--markdown", action="store_true", help="write docs/benchmarks/nlu.md")
    parser.add_argument("--skip-cv", action="store_true", help="only the false-alarm rate")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    examples = [e for e in load_examples() if not e[0].startswith("_")]
    lines = ["# NLU benchmark\n", f"{time.strftime('%Y-%m-%d')}, {machine()}\n"]

    if not args.skip_cv:
        started = time.monotonic()
        per_language = cross_validate(examples, args.folds)
        lines.append(f"\n## Intent macro-F1, {args.folds}-fold cross-validation ({len(examples)} examples, {time.monotonic() - started:.0f} s)\n")
        lines.append("| language | examples | accuracy | macro-F1 |\n|---|---|---|---|\n")
        f1s = []
        for language in sorted(per_language):
            truth, predicted = per_language[language]
            f1 = macro_f1(truth, predicted)
            f1s.append(f1)
            accuracy = sum(t == p for t, p in zip(truth, predicted)) / len(truth)
            lines.append(f"| {language} | {len(truth)} | {accuracy:.3f} | {f1:.3f} |\n")
            confusion_png(language, truth, predicted, RESULTS / f"confusion-{language}.png")
        lines.append(f"| **mean** | | | **{sum(f1s) / len(f1s):.3f}** |\n")
        lines.append("\nConfusion matrices: `results/nlu/confusion-<lang>.png`.\n")

    from bot.training import model_path, train

    train()
    started = time.monotonic()
    alarms = false_alarms(str(model_path()))
    lines.append(f"\n## False alarms on out-of-scope smart-home commands (threshold {fallback_threshold()}, {time.monotonic() - started:.0f} s)\n")
    lines.append("Share classified as a help intent (emergency, passport, shelter, medical, exploitation, minor, human).\n\n")
    lines.append("| language | texts | false alarms | rate |\n|---|---|---|---|\n")
    for language in sorted(alarms):
        count, total = alarms[language]
        lines.append(f"| {language} | {total} | {count} | {count / total:.2%} |\n")
    size = model_path().stat().st_size / 1e6
    lines.append(f"\nProduction model size: {size:.1f} MB.\n")
    report = "".join(lines)
    print(report)
    if args.markdown:
        target = PROJECT_ROOT / "docs" / "benchmarks" / "nlu.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
