"""NLU quality per language: k-fold cross-validation and the false-alarm rate.

``python -m benchmarks.nlu [--folds 3] [--baseline ngrams|whitespace|none] [--markdown]``

Cross-validation trains on all languages at once (as production does), holding out
a stratified 1/k of every (language, intent) pair per fold, and scores the held-out
examples per language: intent macro-F1 and a confusion matrix PNG per language.
The same folds are run twice: with the production pipeline, and with a baseline
that differs in one part, so each part is kept on figures. ``--baseline ngrams``
(the default) drops the sentence encoder (n-gram counts only);
``--baseline whitespace`` swaps the script-aware tokenizer (spaCy blank zh/th
segmentation, folded spellings) for Rasa's plain WhitespaceTokenizer. A sweep over fallback thresholds shows the trade-off the production
threshold was chosen on: mean macro-F1 against the share of held-out
out_of_scope examples taken for a help intent.
The false-alarm rate parses ``../shared/eval/out_of_scope_home_assistant.jsonl``
(smart-home commands, never trained on) with the production model and counts the
share classified as a help intent above the fallback threshold.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import random
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

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


def train_nlu(examples: Sequence[Example], workdir: Path, config: Path) -> str:
    from rasa.model_training import train_nlu as rasa_train_nlu

    data = workdir / "nlu.yml"
    write_nlu(examples, data)
    model = rasa_train_nlu(
        config=str(config), nlu_data=str(data), output=str(workdir), fixed_model_name="cv",
        domain=str(PROJECT_ROOT / "domain.yml"),
    )
    return str(model)


Prediction = Tuple[str, float, float]  # classifier's best intent, its confidence, the runner-up's


def parse_all(model_path: str, texts: Sequence[str]) -> List[Prediction]:
    """The classifier's own ranking for each text (before the fallback replaces it)."""
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)

    async def run() -> List[Prediction]:
        results = []
        for text in texts:
            parsed = await agent.parse_message(text)
            ranking = [r for r in parsed.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
            if not ranking:
                results.append(("", 0.0, 0.0))
                continue
            second = float(ranking[1]["confidence"]) if len(ranking) > 1 else 0.0
            results.append((ranking[0]["name"], float(ranking[0]["confidence"]), second))
        return results

    return asyncio.run(run())


def decide(prediction: Prediction, threshold: float, ambiguity: float) -> str:
    """What the FallbackClassifier makes of a prediction."""
    intent, confidence, second = prediction
    return intent if confidence >= threshold and confidence - second >= ambiguity else "nlu_fallback"


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


def fallback_settings(config: Path = PROJECT_ROOT / "config.yml") -> Tuple[float, float]:
    """The production FallbackClassifier's threshold and ambiguity threshold."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    for component in data["pipeline"]:
        if component["name"] == "FallbackClassifier":
            return float(component.get("threshold", 0.3)), float(component.get("ambiguity_threshold", 0.1))
    return 0.0, 0.0


Pipeline = List[Dict[str, object]]


def _without_encoder(pipeline: Pipeline) -> Pipeline:
    return [c for c in pipeline if not str(c["name"]).endswith("SentenceEncoderFeaturizer")]


def _with_whitespace_tokenizer(pipeline: Pipeline) -> Pipeline:
    return [{**c, "name": "WhitespaceTokenizer"} if str(c["name"]).endswith("ScriptAwareTokenizer") else c
            for c in pipeline]


# name -> what the baseline is, and how it changes the production pipeline
BASELINES: Dict[str, Tuple[str, Callable[[Pipeline], Pipeline]]] = {
    "ngrams": ("the same pipeline without the sentence encoder (word and character n-grams only)",
               _without_encoder),
    "whitespace": ("the same pipeline with Rasa's WhitespaceTokenizer (Chinese and Thai left to character "
                   "n-grams, no spelling folding)", _with_whitespace_tokenizer),
}


def baseline_config(kind: str, workdir: Path) -> Path:
    """The production config with the one part ``BASELINES[kind]`` changes."""
    if kind not in BASELINES:
        raise ValueError(f"unknown baseline {kind!r}")
    data = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    data["pipeline"] = BASELINES[kind][1](data["pipeline"])
    path = workdir / f"config-{kind}.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


CV = Dict[str, List[Tuple[str, Prediction]]]  # language -> (true intent, prediction)


def cross_validate(examples: List[Example], k: int, config: Path, label: str) -> CV:
    per_language: CV = defaultdict(list)
    for number, held_out in enumerate(folds(examples, k), start=1):
        held = set(held_out)
        train = [e for i, e in enumerate(examples) if i not in held]
        test = [examples[i] for i in held_out]
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="fristad-cv-") as tmp:
            model = train_nlu(train, Path(tmp), config)
            predictions = parse_all(model, [text for _, _, text in test])
        print(f"{label} fold {number}/{k}: trained on {len(train)}, tested {len(test)} in {time.monotonic() - started:.0f} s", flush=True)
        for (language, intent, _), prediction in zip(test, predictions):
            per_language[language].append((intent, prediction))
    return per_language


def scores(results: CV, threshold: float, ambiguity: float) -> Dict[str, Tuple[float, float]]:
    """Per language: accuracy and macro-F1 after the fallback."""
    found = {}
    for language, rows in results.items():
        truth = [t for t, _ in rows]
        predicted = [decide(p, threshold, ambiguity) for _, p in rows]
        found[language] = (sum(t == p for t, p in zip(truth, predicted)) / len(truth), macro_f1(truth, predicted))
    return found


def held_out_false_alarms(results: CV, threshold: float, ambiguity: float) -> Tuple[int, int]:
    """Held-out out_of_scope examples taken for a help intent."""
    rows = [p for language in results.values() for t, p in language if t == "out_of_scope"]
    return sum(decide(p, threshold, ambiguity) in HELP_INTENTS for p in rows), len(rows)


@dataclass
class FalseAlarms:
    """One language's smart-home commands: how many, and which help intent each false alarm went to."""

    texts: int = 0
    intents: Counter = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.intents.values())


def false_alarms(model_path: str, threshold: float, ambiguity: float) -> Dict[str, FalseAlarms]:
    """Per language of the evaluation file (counts only: its texts are never printed or kept)."""
    path = eval_dir() / "out_of_scope_home_assistant.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    predictions = parse_all(model_path, [row["text"] for row in rows])
    found: Dict[str, FalseAlarms] = defaultdict(FalseAlarms)
    for row, prediction in zip(rows, predictions):
        alarms = found[row["lang"]]
        alarms.texts += 1
        intent = decide(prediction, threshold, ambiguity)
        if intent in HELP_INTENTS:
            alarms.intents[intent] += 1
    return dict(found)


def machine() -> str:
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.nlu")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--markdown", action="store_true", help="write docs/benchmarks/nlu.md")
    parser.add_argument("--skip-cv", action="store_true", help="only the false-alarm rate")
    parser.add_argument("--baseline", choices=[*BASELINES, "none"], default="ngrams",
                        help="the pipeline the production one is compared with on the same folds")
    args = parser.parse_args()
    # Rasa's structured log prints every parsed text at debug level unless told otherwise.
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    RESULTS.mkdir(parents=True, exist_ok=True)
    examples = [e for e in load_examples() if not e[0].startswith("_")]
    threshold, ambiguity = fallback_settings()
    lines = ["# NLU benchmark\n", f"{time.strftime('%Y-%m-%d')}, {machine()}\n",
             f"\nProduction fallback: threshold {threshold}, ambiguity {ambiguity}. Reproduce: `make bench-nlu` "
             f"(`python -m benchmarks.nlu --folds {args.folds} --markdown`).\n"]

    if not args.skip_cv:
        started = time.monotonic()
        ours = cross_validate(examples, args.folds, PROJECT_ROOT / "config.yml", "production")
        minutes = (time.monotonic() - started) / 60
        baseline: CV = {}
        if args.baseline != "none":
            with tempfile.TemporaryDirectory(prefix="fristad-cfg-") as tmp:
                baseline = cross_validate(examples, args.folds, baseline_config(args.baseline, Path(tmp)), args.baseline)
        mine, theirs = scores(ours, threshold, ambiguity), scores(baseline, threshold, ambiguity) if baseline else {}
        lines.append(f"\n## Intent macro-F1, {args.folds}-fold cross-validation ({len(examples)} examples; "
                     f"{minutes:.1f} min for the {args.folds} production folds)\n\n")
        label = args.baseline if baseline else "baseline"
        lines.append("Target: macro-F1 ≥ 0.90 in every language."
                     + (f" `{label}`: {BASELINES[label][0]}." if baseline else "") + "\n\n")
        lines.append(f"| language | examples | accuracy | macro-F1 | macro-F1, {label} |\n|---|---:|---:|---:|---:|\n")
        for language in sorted(mine):
            accuracy, f1 = mine[language]
            other = f"{theirs[language][1]:.3f}" if language in theirs else "—"
            lines.append(f"| {language} | {len(ours[language])} | {accuracy:.3f} | {f1:.3f} | {other} |\n")
            rows = ours[language]
            confusion_png(language, [t for t, _ in rows], [decide(p, threshold, ambiguity) for _, p in rows],
                          RESULTS / f"confusion-{language}.png")
        mean = sum(f for _, f in mine.values()) / len(mine)
        other_mean = f"**{sum(f for _, f in theirs.values()) / len(theirs):.3f}**" if theirs else "—"
        lines.append(f"| **mean** | | | **{mean:.3f}** | {other_mean} |\n")
        lines.append("\nConfusion matrices: `results/nlu/confusion-<lang>.png` (copies in `docs/benchmarks/nlu/`).\n")
        lines.append("\n## Fallback threshold sweep (production pipeline, same folds)\n\n")
        lines.append("| threshold | ambiguity | mean macro-F1 | worst language | held-out out_of_scope taken for help |\n"
                     "|---:|---:|---:|---|---:|\n")
        for sweep_threshold in (0.0, 0.2, 0.3, 0.35, 0.4, 0.5, 0.6):
            for sweep_ambiguity in (0.0, 0.1):
                found = scores(ours, sweep_threshold, sweep_ambiguity)
                worst = min(found, key=lambda code: found[code][1])
                alarms, total = held_out_false_alarms(ours, sweep_threshold, sweep_ambiguity)
                mark = " ←" if (sweep_threshold, sweep_ambiguity) == (threshold, ambiguity) else ""
                lines.append(f"| {sweep_threshold}{mark} | {sweep_ambiguity} | {sum(f for _, f in found.values()) / len(found):.3f} | "
                             f"{worst} {found[worst][1]:.3f} | {alarms}/{total} = {alarms / max(total, 1):.1%} |\n")

    from bot.training import model_path, train

    with tempfile.TemporaryDirectory(prefix="fristad-cache-") as empty_cache:  # from scratch, as a new machine
        started = time.monotonic()
        train(force=True, cache_directory=Path(empty_cache))
        trained_in = time.monotonic() - started
    started = time.monotonic()
    alarms = false_alarms(str(model_path()), threshold, ambiguity)
    elapsed = time.monotonic() - started
    parsed = sum(found.texts for found in alarms.values())
    lines.append(f"\n## False alarms on out-of-scope smart-home commands (`../shared/eval`, {elapsed:.0f} s: "
                 f"{1000 * elapsed / max(parsed, 1):.1f} ms per message through the whole NLU pipeline)\n\n")
    lines.append("Share classified as a help intent (emergency, passport, shelter, medical, exploitation, minor, human) "
                 "after the fallback. Target: ≤ 3% in every language.\n\n")
    lines.append("| language | texts | false alarms | rate | taken for |\n|---|---:|---:|---:|---|\n")
    for language in sorted(alarms):
        found = alarms[language]
        taken = ", ".join(f"{intent} {n}" for intent, n in found.intents.most_common())
        lines.append(f"| {language} | {found.texts} | {found.count} | {found.count / found.texts:.2%} | {taken} |\n")
    size = model_path().stat().st_size / 1e6
    lines.append(f"\nProduction model (NLU and dialogue): {size:.1f} MB, trained from scratch "
                 f"(empty component cache) in {trained_in / 60:.1f} min. Target: ≤ 15 min.\n")
    report = "".join(lines)
    print(report)
    if args.markdown:
        target = PROJECT_ROOT / "docs" / "benchmarks" / "nlu.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
