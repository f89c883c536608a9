"""Fit how the detector weighs lid.176 against the n-gram model, on held-out text of our own.

lid.176 has read far more text than our n-gram model, but not Tigrinya, Somali
chat or Arabizi; the n-gram model knows those and little else. How much each one
counts, and a small bias per language (the n-gram model is sharper for languages
we have more text for), is fitted here by multinomial logistic regression on
sentences, word pairs and single words cut from lines that the n-gram model was
*not* trained on (``training_texts(holdout=k)``). Never on the public evaluation
data: that is for measuring only.
"""
from __future__ import annotations

import json
import logging
import math
import random
from pathlib import Path
from typing import Dict, List, Mapping, Sequence, Tuple

import numpy as np

from bot.language.corpus import native
from bot.language.detector import LanguageDetector, Weights, words_of
from bot.language.ngram import NgramModel
from bot.language.scripts import script_counts

logger = logging.getLogger(__name__)

PER_LEVEL = 150  # samples per language and level (sentence, pair, word)
BIAS_L2 = 0.01
FLOOR = 0.01


def dev_samples(held: Mapping[str, Sequence[str]], seed: int = 7) -> List[Tuple[str, str]]:
    """``(text, language)``: whole held-out lines, adjacent word pairs and single words."""
    rng = random.Random(seed)
    samples: List[Tuple[str, str]] = []
    by_language: Dict[str, List[str]] = {}
    for name, lines in held.items():
        by_language.setdefault(name.split("-")[0], []).extend(line for line in lines if native(name, line))
    for language, lines in sorted(by_language.items()):
        sentences, pairs, words = [], [], []
        for line in lines:
            tokens = [t.strip(".,;:!?¿¡\"()«»“”„") for t in line.split()]
            tokens = [t for t in tokens if any(ch.isalpha() for ch in t)]
            sentences.append(line)
            pairs += [" ".join(tokens[i:i + 2]) for i in range(len(tokens) - 1)]
            words += tokens
        for group in (sentences, pairs, words):
            rng.shuffle(group)
            samples += [(text, language) for text in group[:PER_LEVEL]]
    return samples


def evidence(detector: LanguageDetector, samples: Sequence[Tuple[str, str]]):
    """Per sample: candidate languages, n-gram scores and lid.176 scores."""
    rows = []
    for text, language in samples:
        scripts = script_counts(text)
        if not scripts:
            continue
        main = max(scripts, key=scripts.get)
        words = words_of(text)
        ngram = detector.ngram_evidence(words, main)
        if language not in ngram or len(ngram) < 2:
            continue
        lid = detector.lid_evidence(text, ngram.keys(), FLOOR) if main != "Ethi" else {}
        frequencies = detector.word_evidence(words, ngram.keys(), main)
        rows.append((language, ngram, lid, frequencies))
    return rows


def fit(rows, languages: Sequence[str], steps: int = 600) -> Weights:
    """Minimise cross-entropy of softmax(ngram * n + lid * l + words * w + bias) over each sample's candidates.

    ``w`` is a language's mean word frequency where it has a word list, and a fitted
    neutral value (``words_missing``) where it has none.
    """
    index = {code: i for i, code in enumerate(languages)}
    width = max(len(ngram) for _, ngram, _, _ in rows)
    count = len(rows)
    n = np.zeros((count, width))
    lid = np.full((count, width), math.log(FLOOR))
    has_lid = np.zeros((count, 1))
    freq = np.zeros((count, width))
    listed = np.zeros((count, width))
    which = np.zeros((count, width), dtype=int)
    mask = np.zeros((count, width), dtype=bool)
    target = np.zeros(count, dtype=int)
    for r, (language, ngram, lids, words) in enumerate(rows):
        for c, code in enumerate(sorted(ngram)):
            n[r, c] = ngram[code]
            if code in words:
                freq[r, c] = words[code]
                listed[r, c] = 1.0
            lid[r, c] = lids.get(code, math.log(FLOOR))
            which[r, c] = index[code]
            mask[r, c] = True
            if code == language:
                target[r] = c
        has_lid[r] = 1.0 if lids else 0.0
    lid = lid * has_lid  # no lid.176 evidence (Ge'ez script): the term is zero
    # Some samples have no word lists at all among their candidates (Ge'ez): no term then.
    has_words = (listed.sum(axis=1, keepdims=True) > 0).astype(float)
    unlisted = (1.0 - listed) * mask * has_words
    params = {"ngram": np.array(0.5), "lid": np.array(1.0), "words": np.array(0.1), "unlisted": np.array(0.1),
              "bias": np.zeros(len(languages))}
    moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}
    rate, beta1, beta2 = 0.05, 0.9, 0.999
    for step in range(1, steps + 1):
        score = params["ngram"] * n + params["lid"] * lid + params["words"] * freq + params["unlisted"] * unlisted + params["bias"][which]
        score = np.where(mask, score, -1e9)
        score -= score.max(axis=1, keepdims=True)
        prob = np.exp(score) * mask
        prob /= prob.sum(axis=1, keepdims=True)
        grad = prob.copy()
        grad[np.arange(count), target] -= 1.0
        grad /= count
        grads = {
            "ngram": (grad * n).sum(),
            "lid": (grad * lid).sum(),
            "words": (grad * freq).sum(),
            "unlisted": (grad * unlisted).sum(),
            "bias": np.bincount(which[mask], weights=grad[mask], minlength=len(languages)) + BIAS_L2 * params["bias"],
        }
        for key, g in grads.items():
            m, v = moments[key]
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            moments[key] = (m, v)
            params[key] = params[key] - rate * (m / (1 - beta1 ** step)) / (np.sqrt(v / (1 - beta2 ** step)) + 1e-8)
        params["ngram"] = np.maximum(params["ngram"], 0.01)
        params["lid"] = np.maximum(params["lid"], 0.0)
        params["words"] = np.maximum(params["words"], 0.01)
    final = params["ngram"] * n + params["lid"] * lid + params["words"] * freq + params["unlisted"] * unlisted + params["bias"][which]
    right = (np.argmax(np.where(mask, final, -1e9), axis=1) == target).mean()
    logger.info("calibration: %d samples, fitted accuracy %.3f, ngram %.3f, lid %.3f, words %.3f (unlisted %.3f)",
                count, right, params["ngram"], params["lid"], params["words"], params["unlisted"] / params["words"])
    return Weights(
        lid=float(params["lid"]),
        ngram=float(params["ngram"]),
        lid_floor=FLOOR,
        temperature=1.0,
        words=float(params["words"]),
        words_missing=float(params["unlisted"] / params["words"]),
        bias={code: round(float(params["bias"][i]), 4) for code, i in index.items()},
    )


def calibrate(model: NgramModel, held: Mapping[str, Sequence[str]], languages: Sequence[str]) -> Weights:
    """Weights fitted with ``model`` (trained without ``held``) on samples cut from ``held``."""
    detector = LanguageDetector(frozenset(languages), ngram=model)
    rows = evidence(detector, dev_samples(held))
    if not rows:
        return Weights()
    return fit(rows, sorted(languages))


def save(weights: Weights, path: Path) -> None:
    data = {"lid": round(weights.lid, 4), "ngram": round(weights.ngram, 4), "words": round(weights.words, 4),
            "words_missing": round(weights.words_missing, 4), "lid_floor": weights.lid_floor,
            "temperature": weights.temperature, "bias": dict(sorted(weights.bias.items()))}
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
