"""Word frequencies per language: the strongest evidence on one or two words.

A single word ("mulțumesc", "gracias", "salamat") is too short for character
statistics, but a list of the words a language really uses settles most of them.
Frequencies come from the ``wordfreq`` package (its word lists ship inside the
package, built from Wikipedia, subtitles, news, books and web text; CC BY-SA 4.0):
``python -m bot.language.train`` keeps the most frequent words of every language it
has and stores them compactly in ``data/words.npz``: a sorted array of 64-bit word
hashes and one row of Zipf frequencies (log10 per billion words, times 10) per word.

A language without a list (Somali, Albanian, Tigrinya ...) or whose list is in
another script (Arabic when the text is Latin) gets no word evidence: the detector
gives such a language a neutral value, fitted with the other weights.
"""
from __future__ import annotations

import functools
import hashlib
import logging
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from bot.language.ngram import fold_diacritics
from bot.language.scripts import scripts_of_language

logger = logging.getLogger(__name__)

WORDS_FILE = Path(__file__).with_name("data") / "words.npz"
TOP_WORDS = 30_000
CACHE_WORDS = 50_000
# wordfreq's names where they differ from ours.
WORDFREQ_CODES: Mapping[str, str] = {"tl": "fil"}


def word_hash(word: str) -> int:
    """A stable 64-bit hash (Python's own hash differs between processes)."""
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


class WordFrequencies:
    """Zipf frequency of a word in each language that has a list."""

    def __init__(self, languages: Sequence[str], hashes: np.ndarray, zipf: np.ndarray) -> None:
        self.languages = tuple(languages)
        self.hashes = hashes
        self.zipf = zipf  # uint8, Zipf * 10; 0 = not in the list
        self.column = {code: i for i, code in enumerate(self.languages)}
        self._listed: Dict[Tuple[str, Tuple[str, ...]], Tuple[List[str], List[int]]] = {}
        self._rows: Dict[str, Optional[np.ndarray]] = {}  # word -> its row, for words seen before

    def row(self, word: str) -> Optional[np.ndarray]:
        """The word's Zipf row (uint8, x10), or None when no list has it; remembered."""
        if word in self._rows:
            return self._rows[word]
        key = word_hash(word)
        at = int(np.searchsorted(self.hashes, key))
        found = self.zipf[at] if at < len(self.hashes) and self.hashes[at] == key else None
        if len(self._rows) < CACHE_WORDS:
            self._rows[word] = found
        return found

    def _listed_columns(self, candidates: Iterable[str], script: str) -> Tuple[List[str], List[int]]:
        """Candidates with a word list in ``script``, and their columns (cached: the sets repeat)."""
        key = (script, tuple(candidates))
        found = self._listed.get(key)
        if found is None:
            codes = [code for code in key[1] if code in self.column and script in scripts_of_language(code)]
            found = (codes, [self.column[code] for code in codes])
            if len(self._listed) < 256:
                self._listed[key] = found
        return found

    def scores_of_tokens(self, words: Sequence[str], candidates: Iterable[str], script: str) -> Dict[str, float]:
        """Mean Zipf frequency per candidate that has a list in ``script``, over ``words`` (normalized tokens).

        A word missing from a language's list counts as Zipf 0 for it. Candidates
        without a list in this script are left out (the caller treats them as neutral).
        """
        if not words:
            return {}
        listed, columns = self._listed_columns(candidates, script)
        if not listed:
            return {}
        total = np.zeros(len(self.languages), dtype=np.int32)
        for word in words:
            found = self.row(word)
            if found is not None:
                total += found
        scale = 10.0 * len(words)
        return {code: value / scale for code, value in zip(listed, total[columns].tolist())}


def build(languages: Sequence[str], top: int = TOP_WORDS) -> Tuple[List[str], np.ndarray, np.ndarray]:
    """From wordfreq: each language's ``top`` words, also in their folded spelling (typed without accents)."""
    import wordfreq

    available = set(wordfreq.available_languages(wordlist="best"))
    listed = [code for code in languages if WORDFREQ_CODES.get(code, code) in available]
    table: Dict[int, np.ndarray] = {}
    for column, code in enumerate(listed):
        name = WORDFREQ_CODES.get(code, code)
        for word in wordfreq.top_n_list(name, top, wordlist="best"):
            value = min(255, int(round(10 * wordfreq.zipf_frequency(word, name, wordlist="best"))))
            for form in {word, fold_diacritics(word)}:
                row = table.setdefault(word_hash(form), np.zeros(len(listed), dtype=np.uint8))
                row[column] = max(row[column], value)
    keys = np.array(sorted(table), dtype=np.int64)
    zipf = np.stack([table[int(k)] for k in keys]) if len(keys) else np.zeros((0, len(listed)), dtype=np.uint8)
    logger.info("word frequencies: %d languages, %d words", len(listed), len(keys))
    return listed, keys, zipf


def save(path: Path, languages: Sequence[str], hashes: np.ndarray, zipf: np.ndarray) -> None:
    np.savez_compressed(path, languages=np.array(languages), hashes=hashes, zipf=zipf)


@functools.lru_cache(maxsize=1)
def get_word_frequencies() -> Optional[WordFrequencies]:
    """The shipped table, loaded on first use; None if the file is missing."""
    if not WORDS_FILE.exists():
        logger.warning("no word frequency table at %s; run python -m bot.language.train", WORDS_FILE)
        return None
    with np.load(WORDS_FILE) as data:
        return WordFrequencies([str(x) for x in data["languages"]], data["hashes"], data["zipf"])
