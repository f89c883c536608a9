"""``detect``: which language a person writes, given what the conversation knows.

Raw lid.176 guesses among 176 languages with no memory. People write "ok", "1",
a name or an emoji; they write Arabic in Latin letters; Tigrinya is not in the
model at all. This detector restricts the guess to languages Fristad speaks,
adds script and word evidence where lid.176 is blind, and treats the
conversation's language as a prior that only clear evidence overturns.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, Mapping, Optional

from bot.language.hints import HintScorer, get_hint_scorer
from bot.language.lid import get_lid
from bot.language.scripts import letter_count, script_counts

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


class LanguageDetector:
    """Detects among ``supported`` languages; stateless and safe to share."""

    def __init__(
        self,
        supported: FrozenSet[str],
        default: str = "en",
        raw_scores: Optional[Callable[[str], Dict[str, float]]] = None,
        hints: Optional[HintScorer] = None,
    ) -> None:
        self.supported = frozenset(supported)
        self.default = default if default in self.supported else sorted(self.supported)[0]
        self._raw = raw_scores or (lambda text: get_lid().scores(text, k=30))
        self._hints = hints or get_hint_scorer()

    # -- evidence ------------------------------------------------------------
    def text_scores(self, text: str) -> Dict[str, float]:
        """Probabilities over supported languages from the text alone."""
        clean = _URL.sub(" ", text)
        scripts = script_counts(clean)
        if not scripts:
            return {}
        main_script = max(scripts, key=scripts.get)
        if main_script in SCRIPT_LANGUAGE and SCRIPT_LANGUAGE[main_script] in self.supported:
            return {SCRIPT_LANGUAGE[main_script]: 1.0}
        if main_script == "Ethi":
            return self._hints.ethiopic(clean, self.supported)

        scores: Dict[str, float] = {}
        for label, prob in self._raw(clean.lower()).items():
            code = LABEL_ALIASES.get(label, label)
            if code in self.supported:
                scores[code] = scores.get(code, 0.0) + prob
        scores = self._hints.adjust(clean, main_script, scores, self.supported)
        total = sum(scores.values())
        if total <= 0:
            return {}
        return {code: value / total for code, value in scores.items()}

    # -- decision ------------------------------------------------------------
    def detect(self, text: str, previous: Optional[str] = None, locked: bool = False) -> Detection:
        """Best language for ``text`` in a conversation whose language is ``previous``.

        ``locked`` means the person chose the language explicitly: their choice wins.
        """
        previous = previous if previous in self.supported else None
        if locked and previous:
            return Detection(previous, 1.0, True, reason="chosen")
        text = text or ""
        scores = self.text_scores(text)
        if not scores:
            if previous:
                return Detection(previous, 1.0, True, reason="no-letters-keep")
            return Detection(self.default, 0.0, False, reason="no-letters")
        best = max(scores, key=scores.get)
        confidence = scores[best]
        letters = letter_count(text)
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
