"""Evidence lid.176 lacks: Ge'ez-script Tigrinya vs Amharic, Cyrillic letters that
only one language uses, and romanised Arabic (Arabizi) and Persian (Finglish).

Word lists live in ``bot/language/hints.yml`` so they can grow without code.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Dict, FrozenSet, Mapping, Tuple

import yaml

HINTS_FILE = Path(__file__).with_name("hints.yml")
_WORD = re.compile(r"[^\W_]+(?:[0-9]+[^\W_]*)*", re.UNICODE)
# A Latin word with one of Arabizi's digit-letters inside or in front: 3ayez, ma3a, 7aga, sa2al.
_ARABIZI_DIGIT = re.compile(r"[235679]")
_ARABIZI = re.compile(r"^(?=.*[a-z])[a-z]*[235679][a-z']*[a-z][a-z0-9']*$|^[a-z]+[235679][a-z]*$")


def _invert(lists: Mapping[str, FrozenSet[str]]) -> Dict[str, Tuple[str, ...]]:
    inverted: Dict[str, Tuple[str, ...]] = {}
    for code, items in lists.items():
        for item in items:
            inverted[item] = inverted.get(item, ()) + (code,)
    return inverted


class HintScorer:
    """Adjusts restricted lid.176 scores with letters and words we know."""

    def __init__(self, hints: Mapping) -> None:
        self.letters: Dict[str, FrozenSet[str]] = {k: frozenset(v) for k, v in (hints.get("letters") or {}).items()}
        self.words: Dict[str, FrozenSet[str]] = {k: frozenset(w.lower() for w in v) for k, v in (hints.get("words") or {}).items()}
        self.word_weight = float(hints.get("word_weight", 0.35))
        self.letter_weight = float(hints.get("letter_weight", 0.5))
        self.word_log = float(hints.get("word_log", 1.0))
        self.letter_log = float(hints.get("letter_log", 1.0))
        self.arabizi_log = float(hints.get("arabizi_log", 1.5))
        # The same lists turned around (letter or word -> languages), so a text is read once.
        self._letter_codes: Dict[str, Tuple[str, ...]] = _invert(self.letters)
        self._word_codes: Dict[str, Tuple[str, ...]] = _invert(self.words)
        self._letters_used = frozenset(self._letter_codes)

    def ethiopic(self, text: str, supported: FrozenSet[str]) -> Dict[str, float]:
        """Tigrinya or Amharic: lid.176 has no Tigrinya, so letters and words decide."""
        candidates = [c for c in ("ti", "am") if c in supported]
        if not candidates:
            return {}
        evidence = {c: 1.0 for c in candidates}
        for code in candidates:
            evidence[code] += self.letter_weight * sum(1 for ch in text if ch in self.letters.get(code, ()))
            evidence[code] += 2 * self.word_weight * self._word_hits(text, code)
        total = sum(evidence.values())
        return {c: v / total for c, v in evidence.items()}

    def adjust_log(self, text: str, scores: Dict[str, float]) -> Dict[str, float]:
        """Add letter and word evidence to log-space scores over the candidate languages.

        Each letter only one candidate uses adds ``letter_log``; each word from a
        language's list adds ``word_log``. Only candidates already scored move.
        """
        if not scores:
            return scores
        lowered = text.lower()
        bonus: Dict[str, float] = {}
        for char in self._letters_used.intersection(lowered):
            count = lowered.count(char)
            for code in self._letter_codes[char]:
                bonus[code] = bonus.get(code, 0.0) + self.letter_log * count
        words = _WORD.findall(lowered)
        for word in words:
            for code in self._word_codes.get(word, ()):
                bonus[code] = bonus.get(code, 0.0) + self.word_log
        if "ar" in scores and _ARABIZI_DIGIT.search(lowered):
            hits = sum(1 for word in words if _ARABIZI.match(word))
            bonus["ar"] = bonus.get("ar", 0.0) + self.arabizi_log * hits
        if not bonus:
            return dict(scores)
        return {code: value + bonus.get(code, 0.0) for code, value in scores.items()}

    def _word_hits(self, text: str, code: str) -> int:
        words = self.words.get(code)
        if not words:
            return 0
        return sum(1 for token in _WORD.findall(text.lower()) if token in words)


@functools.lru_cache(maxsize=1)
def get_hint_scorer() -> HintScorer:
    with HINTS_FILE.open(encoding="utf-8") as handle:
        return HintScorer(yaml.safe_load(handle) or {})
