"""``detect``: which language a person writes, given what the conversation knows.

Raw lid.176 guesses among 176 languages with no memory. People write "ok", "1",
a name or an emoji; they write Arabic in Latin letters; Tigrinya is not in the
model at all. This detector restricts the guess to languages Fristad speaks,
adds the evidence of a small character n-gram model trained on our own text
(:mod:`bot.language.ngram`) where lid.176 is weak or blind, and treats the
conversation's language as a prior that only clear evidence overturns.
"""
from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from bot.language.hints import HintScorer, get_hint_scorer
from bot.language.lid import get_lid
from bot.language.ngram import normalize, tokens
from bot.language.scripts import script_counts, scripts_of_language

# lid.176 labels that stand for a language we speak (or are its blind spot).
LABEL_ALIASES: Mapping[str, str] = {
    "mk": "bg",  # short Bulgarian/Russian often comes out as Macedonian
    "be": "ru",
    "arz": "ar",
    "azb": "fa",
    "pnb": "ur",
    "ceb": "tl",
    "war": "tl",
    "wuu": "zh",
    "yue": "zh",
    "nn": "no",
}

# Scripts that settle the question alone (when the language is supported).
SCRIPT_LANGUAGE: Mapping[str, str] = {"Thai": "th", "Hani": "zh", "Hang": "ko", "Kana": "ja", "Geor": "ka", "Armn": "hy", "Hebr": "he", "Grek": "el"}
# Share of a text's letters in such a script that settles it (Thai pages quote English words).
SCRIPT_SHARE = 0.3

MAX_ZIPF = 8.0  # Zipf frequency of the most frequent words ("the": 7.7)

# How lid.176 and the n-gram model are combined, fitted by ``python -m bot.language.train``
# on held-out text of our own (see :mod:`bot.language.calibrate`); these defaults
# apply when the fitted file is missing.
WEIGHTS_FILE = Path(__file__).with_name("data") / "weights.json"


@dataclass(frozen=True)
class Weights:
    """score(language) = ngram * log-likelihood + lid * log(p_lid + lid_floor)
    + words * mean Zipf frequency of the text's words (``words_missing`` for a language
    with no word list in the text's script) + bias[language].

    The floor keeps lid.176's blind spots (Tigrinya, Arabizi, Somali) from vetoing;
    the n-gram sum grows with the text, so lid.176 matters most on one or two words,
    where it has seen far more text than we have. Confidence is a softmax of the
    score divided by ``temperature``.
    """

    lid: float = 1.0
    ngram: float = 1.0
    lid_floor: float = 0.01
    temperature: float = 2.0
    words: float = 0.0
    words_missing: float = 0.0
    bias: Mapping[str, float] = field(default_factory=dict)

    @property
    def words_span(self) -> float:
        """The most word frequencies can move one language against another (Zipf runs 0..8)."""
        return self.words * max(MAX_ZIPF, self.words_missing)

    @property
    def lid_span(self) -> float:
        """The most lid.176 can move one language against another."""
        return self.lid * (math.log(1.0 + self.lid_floor) - math.log(self.lid_floor))


@functools.lru_cache(maxsize=1)
def get_weights() -> Weights:
    """The fitted weights, read on first use."""
    if not WEIGHTS_FILE.exists():
        return Weights()
    with WEIGHTS_FILE.open(encoding="utf-8") as handle:
        data = json.load(handle)
    return Weights(
        lid=float(data.get("lid", 1.0)),
        ngram=float(data.get("ngram", 1.0)),
        lid_floor=float(data.get("lid_floor", 0.01)),
        temperature=float(data.get("temperature", 1.0)),
        words=float(data.get("words", 0.0)),
        words_missing=float(data.get("words_missing", 0.0)),
        bias={str(k): float(v) for k, v in (data.get("bias") or {}).items()},
    )


# The n-gram model reads this many words, lid.176 this many: past them a sentence
# adds time (lid.176 hashes every word's n-grams), not evidence.
MAX_TOKENS = 10
LID_MAX_WORDS = 12

# lid.176 alone settles a text of at least this many words when it gives one supported
# language at least this probability. Not in Ge'ez script (it has no Tigrinya), and not
# when the text is plain ASCII and its answer is not English: that is where people write
# Arabic or Persian in Latin letters and Vietnamese or Albanian without diacritics, which
# lid.176 misreads with confidence. On our NLU examples of four words or more, the whole
# detector was right 18,127 times of 19,382 and with this shortcut 18,125.
LID_SURE_WORDS = 4
LID_SURE_ASCII = frozenset({"en"})
LID_SURE_PROBABILITY = 0.95
LID_SURE_LABELS = 3  # lid.176's top labels read for that check (fewer labels, faster answer)
LID_LABELS = 40  # lid.176's top labels read as evidence otherwise

CERTAIN_CONFIDENCE = 0.70
# A message this short (in letters) is not evidence enough to leave the conversation's language.
SHORT_LETTERS = 12
# Scripts written without spaces between words, and how many of their letters make a message.
UNSPACED_SCRIPTS = frozenset({"Hani", "Thai", "Kana", "Laoo", "Khmr", "Mymr"})
SHORT_UNSPACED = 6
SWITCH_CONFIDENCE = 0.80

def words_of(text: str) -> List[str]:
    """The words the n-gram model and the word lists read: normalized, at most ``MAX_TOKENS``."""
    return tokens(normalize(text))[:MAX_TOKENS]


def _lid_input(text: str) -> str:
    """What lid.176 reads: the first ``LID_MAX_WORDS`` words, lower case."""
    return " ".join(text.split()[:LID_MAX_WORDS]).lower()


_URL = re.compile(r"(https?://\S+|www\.\S+|\S+@\S+)")


@dataclass(frozen=True)
class Detection:
    """The answer: an ISO 639-1 code, how sure, and whether that is sure enough."""

    language: str
    confidence: float
    certain: bool
    scores: Mapping[str, float] = field(default_factory=dict, compare=False, repr=False)
    reason: str = ""


def _softmax(scores: Mapping[str, float], temperature: float = 1.0) -> Dict[str, float]:
    if not scores:
        return {}
    top = max(scores.values())
    exps = {code: math.exp((value - top) / temperature) for code, value in scores.items()}
    total = sum(exps.values())
    return {code: value / total for code, value in exps.items()}


def _restrict(raw: Mapping[str, float], wanted: FrozenSet[str]) -> Dict[str, float]:
    """lid.176's label probabilities summed per language in ``wanted`` (aliases folded in)."""
    restricted: Dict[str, float] = {}
    for label, prob in raw.items():
        code = LABEL_ALIASES.get(label, label)
        if code in wanted:
            restricted[code] = restricted.get(code, 0.0) + prob
    return restricted


def main_script_of(scripts: Mapping[str, int], letters: int) -> str:
    """The script a text is written in: the one with most letters, except that Latin
    letters in a text at least ``SCRIPT_SHARE`` in another script are quoted words, names
    or links (a Tigrinya or Russian message with an English word in it): that script leads."""
    best = max(scripts, key=scripts.get)
    if best == "Latn":
        others = [(count, script) for script, count in scripts.items() if script != "Latn" and count >= SCRIPT_SHARE * letters]
        if others:
            return max(others)[1]
    return best


def _margin(scores: Mapping[str, float]) -> float:
    """How far the best score leads the second (0 when there is no evidence)."""
    if len(scores) < 2:
        return 0.0 if not scores else math.inf
    first, second = sorted(scores.values(), reverse=True)[:2]
    return first - second


class LanguageDetector:
    """Detects among ``supported`` languages; stateless and safe to share.

    ``raw_scores`` replaces lid.176 (text, top k -> label probabilities), ``hints`` the
    letter and word lists, ``ngram`` the shipped n-gram model (an
    :class:`~bot.language.ngram.NgramModel`, or ``False`` for none); each is
    loaded on first use when not given.
    """

    def __init__(
        self,
        supported: FrozenSet[str],
        default: str = "en",
        raw_scores: Optional[Callable[[str, int], Dict[str, float]]] = None,
        hints: Optional[HintScorer] = None,
        ngram=None,
        words=None,
    ) -> None:
        self.supported = frozenset(supported)
        self.default = default if default in self.supported else sorted(self.supported)[0]
        self._raw = raw_scores or (lambda text, k: get_lid().scores(text, k=k))
        self._hints = hints
        self._ngram = ngram
        self._words = words
        self._gather: Dict[str, Tuple[List[str], np.ndarray, np.ndarray]] = {}

    # -- lazily loaded parts ---------------------------------------------------
    @property
    def hints(self) -> HintScorer:
        if self._hints is None:
            self._hints = get_hint_scorer()
        return self._hints

    def _model_columns(self, script: str):
        """The n-gram model, and for ``script``: the supported languages that can be written in it,
        their class columns side by side, and where each language's columns start (for one
        ``np.maximum.reduceat``: the best class of each language in one numpy call)."""
        if self._ngram is None:
            from bot.language.ngram import get_ngram_model

            self._ngram = get_ngram_model() or False
        if not self._ngram:
            return None, None
        gather = self._gather.get(script)
        if gather is None:
            model = self._ngram
            codes: List[str] = []
            flat: List[int] = []
            starts: List[int] = []
            for language, idx in model.columns(self.supported):
                keep = [
                    i for i in idx
                    if (model.classes[i].endswith("-Latn") and script == "Latn")
                    or (not model.classes[i].endswith("-Latn") and script in scripts_of_language(language))
                ]
                if keep:
                    codes.append(language)
                    starts.append(len(flat))
                    flat.extend(keep)
            gather = self._gather[script] = (codes, np.array(flat, dtype=int), np.array(starts, dtype=int))
        return self._ngram, gather

    # -- evidence ------------------------------------------------------------
    def text_scores(self, text: str) -> Dict[str, float]:
        """Probabilities over supported languages from the text alone."""
        clean = _URL.sub(" ", text) if ("/" in text or "@" in text or "www" in text) else text
        return self._text_scores(clean, script_counts(clean))

    def _text_scores(self, clean: str, scripts: Mapping[str, int]) -> Dict[str, float]:
        if not scripts:
            return {}
        letters = sum(scripts.values())
        for script, count in sorted(scripts.items(), key=lambda item: -item[1]):
            code = SCRIPT_LANGUAGE.get(script)
            if code in self.supported and count >= SCRIPT_SHARE * letters:
                return {code: 1.0}
        main_script = main_script_of(scripts, letters)
        weights = get_weights()
        # Counted by spaces: cheaper than the n-gram model's words, which a sure answer never needs.
        raw: Optional[Dict[str, float]] = None
        if main_script != "Ethi" and len(clean.split()) >= LID_SURE_WORDS:
            raw = self._raw(_lid_input(clean), LID_SURE_LABELS)
            sure = self._lid_sure(raw, clean.isascii())
            if sure:
                return sure
        words = words_of(clean)
        ngram = self.ngram_evidence(words, main_script)
        combined = {code: weights.ngram * value + weights.bias.get(code, 0.0) for code, value in ngram.items()}
        # Word frequencies move a language by at most ``words_span``: when the n-gram
        # margin is wider (most sentences), they cannot change the answer; skip them.
        if combined and weights.words and _margin(combined) <= weights.words_span:
            frequencies = self.word_evidence(words, combined.keys(), main_script)
            if frequencies:
                combined = {
                    code: value + weights.words * frequencies.get(code, weights.words_missing)
                    for code, value in combined.items()
                }
        if combined:
            combined = self.hints.adjust_log(clean, combined)
        # lid.176 has no Tigrinya (it would call all Ge'ez text Amharic), and when the
        # n-gram margin is wider than lid.176's whole range it cannot change the answer:
        # skip it then, it is the slowest part.
        if main_script != "Ethi" and _margin(combined) <= weights.lid_span:
            lid = self.lid_evidence(clean, combined.keys() if combined else self.supported, weights.lid_floor, raw)
            if lid and combined:
                floor = math.log(weights.lid_floor)
                combined = {code: value + weights.lid * lid.get(code, floor) for code, value in combined.items()}
            elif lid:
                combined = self.hints.adjust_log(clean, {code: weights.lid * value for code, value in lid.items()})
        if not combined:
            if main_script == "Ethi":
                return self.hints.ethiopic(clean, self.supported)
            return {}
        return _softmax(combined, weights.temperature)

    def ngram_evidence(self, words: Sequence[str], main_script: str) -> Dict[str, float]:
        """The n-gram model's log-likelihood of ``words`` (see :func:`words_of`) per supported language written in ``main_script``."""
        model, gather = self._model_columns(main_script)
        if not gather or not gather[0]:
            return {}
        codes, flat, starts = gather
        class_scores, count = model.class_scores_of_tokens(words)
        if not count:
            return {}
        best = np.maximum.reduceat(class_scores[flat], starts).tolist()
        return dict(zip(codes, best))

    def word_evidence(self, words: Sequence[str], candidates, main_script: str) -> Dict[str, float]:
        """Mean Zipf frequency of ``words`` per candidate with a word list in ``main_script``."""
        if self._words is None:
            from bot.language.words import get_word_frequencies

            self._words = get_word_frequencies() or False
        if not self._words:
            return {}
        return self._words.scores_of_tokens(words, candidates, main_script)

    def _lid_sure(self, raw: Mapping[str, float], ascii_text: bool) -> Dict[str, float]:
        """lid.176's probabilities over supported languages when its best label is one of
        them with at least ``LID_SURE_PROBABILITY`` (in ``LID_SURE_ASCII`` for a plain-ASCII
        text); empty otherwise."""
        restricted = _restrict(raw, self.supported)
        if not restricted:
            return {}
        best = max(restricted, key=restricted.get)
        if restricted[best] < LID_SURE_PROBABILITY or (ascii_text and best not in LID_SURE_ASCII):
            return {}
        total = sum(restricted.values())
        return {code: value / total for code, value in restricted.items()}

    def lid_evidence(
        self, clean: str, candidates, floor: float, asked: Optional[Mapping[str, float]] = None
    ) -> Dict[str, float]:
        """log(p + floor) of lid.176's probabilities renormalised over ``candidates``.

        ``asked``: lid.176's top labels for ``clean`` when they were already read (it is not
        asked again; a candidate not among them counts as the floor).
        """
        raw = _restrict(asked if asked is not None else self._raw(_lid_input(clean), LID_LABELS), frozenset(candidates))
        total = sum(raw.values())
        if total <= 0:
            return {}
        return {code: math.log(value / total + floor) for code, value in raw.items()}

    # -- decision ------------------------------------------------------------
    def detect(self, text: str, previous: Optional[str] = None, locked: bool = False) -> Detection:
        """Best language for ``text`` in a conversation whose language is ``previous``.

        ``locked`` means the person chose the language explicitly: their choice wins.
        """
        previous = previous if previous in self.supported else None
        if locked and previous:
            return Detection(previous, 1.0, True, reason="chosen")
        text = text if isinstance(text, str) else ""
        clean = _URL.sub(" ", text) if ("/" in text or "@" in text or "www" in text) else text
        scripts = script_counts(clean)
        scores = self._text_scores(clean, scripts)
        if not scores:
            if previous:
                return Detection(previous, 1.0, True, reason="no-letters-keep")
            return Detection(self.default, 0.0, False, reason="no-letters")
        best = max(scores, key=scores.get)
        confidence = scores[best]
        letters = sum(scripts.values())
        if previous and best != previous:
            if scripts.keys() & UNSPACED_SCRIPTS:  # Chinese, Thai: no spaces, more per letter
                short = letters < SHORT_UNSPACED
            else:
                short = letters < SHORT_LETTERS or len(text.split()) < 2
            if short or confidence < SWITCH_CONFIDENCE:
                kept = max(scores.get(previous, 0.0), 1.0 - confidence)
                return Detection(previous, max(kept, 0.5), True, scores, reason="prior-kept")
        certain = confidence >= CERTAIN_CONFIDENCE and (letters >= 4 or best == previous or len(scores) == 1)
        return Detection(best, confidence, certain, scores, reason="text")


@functools.lru_cache(maxsize=1)
def get_detector() -> LanguageDetector:
    """The process-wide detector for every language with a translation file."""
    from bot.language.registry import languages
    from bot.settings import get_settings

    return LanguageDetector(frozenset(languages()), default=get_settings().default_language)


def detect(text: str, previous: Optional[str] = None, locked: bool = False) -> Detection:
    """Detect the language of ``text``; see :class:`LanguageDetector`."""
    return get_detector().detect(text, previous=previous, locked=locked)
