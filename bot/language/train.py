"""Build ``bot/language/data/ngram.npz``, ``words.npz`` and ``weights.json``.

    python -m bot.language.train          # rebuild the shipped model (a few minutes)
    python -m bot.language.train --stats  # also print words per class

The word-frequency table comes from the ``wordfreq`` package (:mod:`bot.language.words`),
the n-gram model from :mod:`bot.language.corpus`, in two passes: a model trained without every fifth sentence, to fit on those
held-out sentences how much the n-gram model and lid.176 each count
(:mod:`bot.language.calibrate`); then the shipped model, trained on everything.
Rebuild after adding a corpus file or a language; commit both files. The detector
loads them lazily and works without them (lid.176 and script rules only).
One source, the message catalogs of installed programs (``/usr/share/locale``),
differs between machines, so a rebuild elsewhere gives slightly different counts
(the same languages: ``tests/test_language.py`` checks that).
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Mapping, Optional, Sequence

from bot.language.calibrate import calibrate, save
from bot.language.corpus import LANGUAGES, ngram_counts, sizes, training_texts
from bot.language.detector import WEIGHTS_FILE
from bot.language.ngram import MODEL_FILE, NgramModel
from bot.language import words as word_table

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MIN_COUNT = 2.0  # a weighted count below this is noise, and keeps the file small
HOLDOUT = 5


def build(path: Path = MODEL_FILE, project_root: Path = PROJECT_ROOT, holdout: Optional[int] = None,
          extra_counts: Optional[Mapping[str, Mapping[str, float]]] = None):
    """The n-gram model from ``training_texts`` and ``extra_counts`` (read from the
    installed packages when not given); saved to ``path`` unless it is None."""
    texts, held = training_texts(project_root, LANGUAGES, holdout=holdout)
    if extra_counts is None:
        extra_counts = ngram_counts(LANGUAGES)
    model, counts, features = NgramModel.train(texts, min_count=MIN_COUNT, extra_counts=extra_counts)
    if path is not None:
        model.save(path, counts, features)
    return model, texts, held


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=MODEL_FILE)
    parser.add_argument("--weights", type=Path, default=WEIGHTS_FILE)
    parser.add_argument("--no-calibrate", action="store_true", help="keep the current weights file")
    parser.add_argument("--words", type=Path, default=word_table.WORDS_FILE)
    parser.add_argument("--stats", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    start = time.perf_counter()
    word_table.save(args.words, *word_table.build(LANGUAGES))
    word_table.get_word_frequencies.cache_clear()
    extra_counts = ngram_counts(LANGUAGES)  # the same for both models
    if not args.no_calibrate:
        held_model, _, held = build(None, holdout=HOLDOUT, extra_counts=extra_counts)
        weights = calibrate(held_model, held, LANGUAGES)
        save(weights, args.weights)
        logger.info("weights -> %s", args.weights)
    model, texts, _ = build(args.output, extra_counts=extra_counts)
    logger.info("%d classes, %d features, %.1f s -> %s (%.0f kB)", len(model.classes), model.feature_count,
                time.perf_counter() - start, args.output, args.output.stat().st_size / 1024)
    if args.stats:
        for name, words in sorted(sizes(texts).items()):
            logger.info("  %-8s %7d words", name, words)
    return 0


if __name__ == "__main__":
    sys.exit(main())
