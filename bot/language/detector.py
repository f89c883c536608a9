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
import math
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, Mapping, Optional, Tuple

from bot.language.hints import HintScorer, get_hint_scorer
from bot.language.lid import get_lid
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

# How lid.176 and the n-gram model are combined: score = LID_WEIGHT * log(p_lid + LID_FLOOR)
# + NGRAM_WEIGHT * log-likelihood. The floor keeps lid.176's blind spots (Tigrinya,
# Arabizi, Somali) from vetoing; the n-gram sum grows with the text, so lid.176
# matters most on one or two words, where it has seen far more text than we have.
LID_WEIGHT = 1.0
LID_FLOOR = 0.01
NGRAM_WEIGHT = 1.0
# The n-gram model's evidence is not independent feature by feature; confidence
# is a softmax over the combined score divided by this temperature.
TEMPERATURE = 2.0

# The n-gram model reads this many words; lid.176 reads the whole text.
MAX_TOKENS = 10

CERTAIN_CONFIDENCE = 0.70
# A message this short (in letters) is not evidence enough to leave the conversation's language.
SHORT_LETTERS = 12
SWITCH_CONFIDENCE = 0.80

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


class LanguageDetector:
    """Detects among ``supported`` languages; stateless and safe to share."""

    def __init__(
        self,
        supported: FrozenSet[str],
        default: str = "en",
        raw_scores: Optional[Callable[[str], Dict[str, float]]] = None,
        hints: Optional[HintScorer] = None,
        ngram=None,
    ) -> None:
        self.supported = frozenset(supported)
        self.default = default if default in self.supported else sorted(self.supported)[0]
        self._raw = raw_scores or (lambda text: get_lid().scores(text, k=40))
        self._hints = hints
        self._ngram = ngram
        self._columns: Optional[Dict[str, Tuple[Tuple[str, Tuple[int, ...]], ...]]] = None

    # -- lazily loaded parts ---------------------------------------------------
    @property
    def hints(self) -> HintScorer:
        if self._hints is None:
            self._hints = get_hint_scorer()
        return self._hints

    def _model_columns(self, script: str):
        """The n-gram model and its columns for supported languages that can be written in ``script``."""
        if self._ngram is None:
            from bot.language.ngram import get_ngram_model

            self._ngram = get_ngram_model() or False
        if not self._ngram:
            return None, ()
        if self._columns is None:
            self._columns = {}
        columns = self._columns.get(script)
        if columns is None:
            model = self._ngram
            wanted = []
            for language, idx in model.columns(self.supported):
                keep = tuple(
                    i for i in idx
                    if (model.classes[i].endswith("-Latn") and script == "Latn")
                    or (not model.classes[i].endswith("-Latn") and script in scripts_of_language(language))
                )
                if keep:
                    wanted.append((language, keep))
            columns = self._columns[script] = tuple(wanted)
        return self._ngram, columns

    # -- evidence ------------------------------------------------------------
    def text_scores(self, text: str) -> Dict[str, float]:
        """Probabilities over supported languages from the text alone."""
        clean = _URL.sub(" ", text)
        scripts = script_counts(clean)
        if not scripts:
            return {}
        letters = sum(scripts.values())
        for script, count in sorted(scripts.items(), key=lambda item: -item[1]):
            code = SCRIPT_LANGUAGE.get(script)
            if code in self.supported and count >= SCRIPT_SHARE * letters:
                return {code: 1.0}
        main_script = max(scripts, key=scripts.get)
        model, columns = self._model_columns(main_script)

        combined: Dict[str, float] = {}
        if main_script != "Ethi":  # lid.176 has no Tigrinya: it would call all Ge'ez text Amharic
            raw: Dict[str, float] = {}
            for label, prob in self._raw(clean.lower()).items():
                code = LABEL_ALIASES.get(label, label)
                if code in self.supported and (not columns or any(code == c for c, _ in columns)):
                    raw[code] = raw.get(code, 0.0) + prob
            total = sum(raw.values())
            if total > 0:
                combined = {code: LID_WEIGHT * math.log(value / total + LID_FLOOR) for code, value in raw.items()}
        if columns:
            class_scores, count = model.class_scores(clean, MAX_TOKENS)
            if count:
                floor = LID_WEIGHT * math.log(LID_FLOOR) if combined else 0.0
                for code, idx in columns:
                    best = max(float(class_scores[i]) for i in idx)
                    combined[code] = combined.get(code, floor) + NGRAM_WEIGHT * best
        if main_script == "Ethi" and not combined:
            return self.hints.ethiopic(clean, self.supported)
        if not combined:
            return {}
        combined = self.hints.adjust_log(clean, combined)
        return _softmax(combined, TEMPERATURE)

    # -- decision ------------------------------------------------------------
    def detect(self, text: str, previous: Optional[str] = None, locked: bool = False) -> Detection:
        """Best language for ``text`` in a conversation whose language is ``previous``.

        ``locked`` means the person chose the language explicitly: their choice wins.
        """
        previous = previous if previous in self.supported else None
        if locked and previous:
            return Detection(previous, 1.0, True, reason="chosen")
        text = text if isinstance(text, str) else ""
        scores = self.text_scores(text)
        if not scores:
            if previous:
                return Detection(previous, 1.0, True, reason="no-letters-keep")
            return Detection(self.default, 0.0, False, reason="no-letters")
        best = max(scores, key=scores.get)
        confidence = scores[best]
        letters = sum(script_counts(text).values())
        if previous and best != previous:
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
