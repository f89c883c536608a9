"""A small character n-gram model (multinomial naive Bayes) for the languages lid.176 misses.

lid.176 has no Tigrinya, hardly knows Somali, leans to English on one or two Latin
words and has never seen Arabic or Persian written in Latin letters. This model is
trained on text we can ship (our own word lists and sentences, CLDR names through
Babel, spaCy's stop words, our translations and NLU examples; see
``bot/language/train.py``) and adds that evidence. It is a table of counts, so it
is tiny to store and quick to read: a text's score is a sum of table rows. The rows
are found by a small C module (``_ngram_table.c``, built at install) when it is
there, and by the Python code below otherwise (with a cache of words seen before).

Classes are language codes, or ``<code>-Latn`` for a language written in Latin
letters (Arabizi, Finglish); :meth:`NgramModel.log_likelihoods` folds those into
their language.
"""
from __future__ import annotations

import functools
import logging
from itertools import repeat
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import regex

logger = logging.getLogger(__name__)

MODEL_FILE = Path(__file__).with_name("data") / "ngram.npz"
MIN_ORDER = 2  # single letters add little that letter pairs do not, and cost a lookup each
MAX_ORDER = 5
WORD_ORDER = 0  # the order slot used for whole-word features
WORD_MARK = "\t"  # prefixes whole-word features; never inside a token
MAX_TOKEN = 24  # longer "words" (unspaced scripts, URLs) are cut
SMOOTHING = 0.5
CACHE_WORDS = 50_000  # words whose summed scores are kept (a few MB)
# Weight of the all-language n-gram distribution in each class's estimate (Dirichlet prior).
PRIOR_MASS = 1000.0

_TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}'’]+")
# Letters folded when people type without diacritics; the model learns both forms.
UNACCENTED_LETTERS = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "ß": "ss", "ı": "i", "æ": "ae", "œ": "oe", "ð": "d", "þ": "th"})


def normalize(text: str) -> str:
    """NFC, lower case, one kind of apostrophe."""
    return unicodedata.normalize("NFC", text).lower().replace("’", "'").replace("ʼ", "'")


def tokens(text: str) -> List[str]:
    """Words of a normalized text; numbers alone are not words, digits inside words are (Arabizi)."""
    out = []
    for token in _TOKEN.findall(text):
        token = token.strip("'")
        if token and not token.isdigit():
            out.append(token[:MAX_TOKEN])
    return out


def fold_diacritics(text: str) -> str:
    """The text as typed on a keyboard without accents: ``ș`` -> ``s``, ``ł`` -> ``l``."""
    decomposed = unicodedata.normalize("NFD", text.translate(UNACCENTED_LETTERS))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn"))


@functools.lru_cache(maxsize=64)
def _slices(size: int) -> Tuple[slice, ...]:
    """Every MIN_ORDER..MAX_ORDER-gram window of a padded token of ``size`` characters, bar lone spaces."""
    return tuple(
        slice(i, i + n)
        for n in range(MIN_ORDER, MAX_ORDER + 1)
        for i in range(size - n + 1)
        if not (n == 1 and i in (0, size - 1))
    )


@functools.lru_cache(maxsize=65536)
def token_features(token: str) -> Tuple[str, ...]:
    """Every 2..5-gram of `` token `` (padded with spaces), and the word itself when longer."""
    padded = f" {token} "
    feats = tuple(map(padded.__getitem__, _slices(len(padded))))
    if len(padded) > MAX_ORDER:
        feats += (WORD_MARK + token,)
    return feats


def feature_order(feature: str) -> int:
    return WORD_ORDER if feature.startswith(WORD_MARK) else len(feature)


def count_features(texts: Iterable[Tuple[str, float]]) -> Counter:
    """Weighted feature counts over ``(text, weight)`` pairs."""
    counts: Counter = Counter()
    for text, weight in texts:
        for token in tokens(normalize(text)):
            for feature in token_features(token):
                counts[feature] += weight
    return counts


class NgramModel:
    """Log P(feature | class) per n-gram order, smoothed; scores are sums of rows."""

    def __init__(self, classes: Sequence[str], features: Sequence[str], counts: np.ndarray, compiled: bool = True) -> None:
        self.classes: Tuple[str, ...] = tuple(classes)
        self.languages: Tuple[str, ...] = tuple(dict.fromkeys(c.split("-")[0] for c in self.classes))
        features = list(features)
        self.feature_count = len(features)
        # Kept as one string, not 600,000: only ``index`` needs them (the Python look-up,
        # tests, tools), and the C look-up keeps hashes (about 40 MB less per process).
        self._feature_text = "\n".join(features)
        self._index: Optional[Dict[str, int]] = None
        # The C look-up when it was built (``compiled=False``: the Python one, for tests).
        self._table = _feature_table(features) if compiled else None
        counts = np.asarray(counts, dtype=np.float32)
        orders = np.array([feature_order(f) for f in features], dtype=np.int8)
        # float32: gathering rows is the detector's hottest path, and numpy adds float16
        # slowly. One extra row of zeros stands for every n-gram the model does not know.
        self.logp = np.zeros((counts.shape[0] + 1, counts.shape[1]), dtype=np.float32)
        self.missing = counts.shape[0]
        for order in np.unique(orders):
            rows = np.nonzero(orders == order)[0]
            block = counts[rows]
            # Dirichlet smoothing towards the all-language distribution of this order:
            # a class with little text is not punished on every n-gram it has not seen
            # (add-k smoothing over hundreds of thousands of n-grams would do that).
            background = block.sum(axis=1, keepdims=True) + SMOOTHING
            background /= background.sum()
            totals = block.sum(axis=0, keepdims=True)
            block += PRIOR_MASS * background
            block /= totals + PRIOR_MASS
            np.log(block, out=block)
            # Centre each row: a feature every class has equally says nothing.
            block -= block.mean(axis=1, keepdims=True)
            self.logp[rows] = block
            del block
        self._fold = [
            (language, [i for i, c in enumerate(self.classes) if c.split("-")[0] == language])
            for language in self.languages
        ]
        # Summed scores of words already seen: most words of a conversation repeat.
        self._cache: Dict[str, Tuple[np.ndarray, int]] = {}

    @property
    def index(self) -> Dict[str, int]:
        """Row of each feature: n-grams, and whole words after ``WORD_MARK`` (built on first
        use: the C look-up does not need it)."""
        if self._index is None:
            features = self._feature_text.split("\n") if self.feature_count else []
            self._index = {f: i for i, f in enumerate(features)}
        return self._index

    @property
    def compiled(self) -> bool:
        """Whether texts are scored by the C look-up (bot/language/_ngram_table.c)."""
        return self._table is not None

    # -- persistence ---------------------------------------------------------
    def save(self, path: Path, counts: np.ndarray, features: Sequence[str]) -> None:
        """Counts are stored sparse (most n-grams occur in few languages)."""
        dense = np.asarray(counts, dtype=np.float64)
        rows, cols = np.nonzero(dense)
        values = dense[rows, cols]
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            classes=np.array("\n".join(self.classes).encode("utf-8")),
            features=np.frombuffer("\n".join(features).encode("utf-8"), dtype=np.uint8),
            rows=rows.astype(np.uint32),
            cols=cols.astype(np.uint8),
            # Counts are weighted; four significant bits of fraction are plenty.
            values=np.round(values * 4).astype(np.uint32),
        )

    @classmethod
    def load(cls, path: Path = MODEL_FILE, compiled: bool = True) -> "NgramModel":
        with np.load(path) as data:
            classes = bytes(data["classes"]).decode("utf-8").split("\n")
            features = data["features"].tobytes().decode("utf-8").split("\n")
            counts = np.zeros((len(features), len(classes)), dtype=np.float32)
            counts[data["rows"], data["cols"]] = data["values"] / np.float32(4.0)
        return cls(classes, features, counts, compiled=compiled)

    @classmethod
    def train(
        cls,
        texts: Mapping[str, Iterable[Tuple[str, float]]],
        min_count: float = 1.0,
        extra_counts: Optional[Mapping[str, Mapping[str, float]]] = None,
    ) -> Tuple["NgramModel", np.ndarray, List[str]]:
        """Count every class's texts, add ``extra_counts`` (feature counts from sources that
        ship counts, not text); keep features seen at least ``min_count`` times."""
        extra_counts = extra_counts or {}
        classes = sorted(set(texts) | set(extra_counts))
        per_class = {c: count_features(texts.get(c, ())) for c in classes}
        for c, counts in extra_counts.items():
            per_class[c].update(counts)
        total: Counter = Counter()
        for counts in per_class.values():
            total.update(counts)
        features = sorted(f for f, n in total.items() if n >= min_count and "\n" not in f)
        position = {f: i for i, f in enumerate(features)}
        matrix = np.zeros((len(features), len(classes)), dtype=np.float64)
        for j, c in enumerate(classes):
            for f, n in per_class[c].items():
                i = position.get(f)
                if i is not None:
                    matrix[i, j] = n
        return cls(classes, features, matrix), matrix, features

    # -- scoring -------------------------------------------------------------
    def class_scores_of_tokens(self, words: Sequence[str]) -> Tuple[np.ndarray, int]:
        """Summed log-probability per class over ``words`` (normalized tokens) and how many features counted."""
        if self._table is not None:
            total = np.zeros(len(self.classes), dtype=np.float32)
            return total, self._table.add_scores(words, self.logp, total)
        cache, index, missing = self._cache, self.index, self.missing
        total = np.zeros(len(self.classes), dtype=np.float32)
        count = 0
        new_words: List[str] = []
        new_rows: List[int] = []
        starts: List[int] = []
        for word in words:
            cached = cache.get(word)
            if cached is not None:
                total += cached[0]
                count += cached[1]
                continue
            starts.append(len(new_rows))
            new_words.append(word)
            # Unknown n-grams map to the zero row: no filtering in Python.
            new_rows += map(index.get, token_features(word), repeat(missing))
        if new_words:
            # One numpy call each for every word not seen before, then remembered one by one.
            rows = np.array(new_rows, dtype=np.intp)
            sums = np.add.reduceat(self.logp[rows], starts, axis=0)
            known = np.add.reduceat(rows != missing, starts, dtype=np.intp).tolist()
            total += sums.sum(axis=0)
            count += sum(known)
            if len(cache) < CACHE_WORDS:
                cache.update(zip(new_words, zip(sums, known)))
        return total, count

    def class_scores(self, text: str, max_tokens: int = 16) -> Tuple[np.ndarray, int]:
        """Summed log-probability per class and how many features counted."""
        return self.class_scores_of_tokens(tokens(normalize(text))[:max_tokens])

    def columns(self, languages: Iterable[str]) -> Tuple[Tuple[str, Tuple[int, ...]], ...]:
        """Column numbers per language (a language may have several classes, e.g. ``ar`` and ``ar-Latn``)."""
        wanted = frozenset(languages)
        return tuple((language, tuple(idx)) for language, idx in self._fold if language in wanted)

    def log_likelihoods(self, text: str, max_tokens: int = 16) -> Tuple[Dict[str, float], int]:
        """Per language (best of its classes), and the number of features."""
        scores, n = self.class_scores(text, max_tokens)
        return {language: float(max(scores[i] for i in idx)) for language, idx in self._fold}, n


def _feature_table(features: Sequence[str]):
    """The C look-up over ``features`` (row i is features[i]), or None when it was not
    built (no C compiler at install) or cannot hold them."""
    try:
        from bot.language._ngram_table import FeatureTable
    except ImportError:
        logger.info("n-gram look-up in Python: the C module was not built (pip install -e . with a C compiler)")
        return None
    try:
        return FeatureTable(features, MIN_ORDER, MAX_ORDER, WORD_MARK)
    except (TypeError, ValueError) as error:  # two features with one 64-bit hash: vanishingly rare
        logger.warning("n-gram look-up in Python: %s", error)
        return None


@functools.lru_cache(maxsize=1)
def get_ngram_model() -> Optional[NgramModel]:
    """The shipped model, loaded on first use; None if the file is missing."""
    if not MODEL_FILE.exists():
        logger.warning("no n-gram model at %s; run python -m bot.language.train", MODEL_FILE)
        return None
    model = NgramModel.load(MODEL_FILE)
    logger.info("loaded n-gram model: %d classes, %d features (C look-up: %s)", len(model.classes), model.feature_count, model.compiled)
    return model
