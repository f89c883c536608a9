"""Unicode script counts: the cheapest and surest language evidence there is."""
from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from typing import Dict, Iterable, Mapping, Tuple

# Scripts a language is written in, where that is not Latin letters alone.
LANGUAGE_SCRIPTS: Mapping[str, Tuple[str, ...]] = {
    "ar": ("Arab",), "fa": ("Arab",), "ps": ("Arab",), "ur": ("Arab",),
    "bg": ("Cyrl",), "ru": ("Cyrl",), "uk": ("Cyrl",), "mn": ("Cyrl",), "sr": ("Cyrl", "Latn"),
    "th": ("Thai",), "zh": ("Hani",), "ti": ("Ethi",), "am": ("Ethi",),
    "hi": ("Deva",), "ne": ("Deva",), "bn": ("Beng",), "ta": ("Taml",),
    "ja": ("Hani", "Kana"), "ko": ("Hang",), "he": ("Hebr",), "el": ("Grek",), "ka": ("Geor",), "hy": ("Armn",),
}


def scripts_of_language(code: str) -> Tuple[str, ...]:
    """The scripts ``code`` is written in natively (Latin unless listed)."""
    return LANGUAGE_SCRIPTS.get(code, ("Latn",))


# Ranges checked in order; the first match names the script of a character.
_RANGES = (
    (0x0400, 0x052F, "Cyrl"),
    (0x0600, 0x06FF, "Arab"),
    (0x0750, 0x077F, "Arab"),
    (0x08A0, 0x08FF, "Arab"),
    (0xFB50, 0xFDFF, "Arab"),
    (0xFE70, 0xFEFF, "Arab"),
    (0x0590, 0x05FF, "Hebr"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x1200, 0x139F, "Ethi"),
    (0x2D80, 0x2DDF, "Ethi"),
    (0xAB00, 0xAB2F, "Ethi"),
    (0x3040, 0x30FF, "Kana"),
    (0x3400, 0x4DBF, "Hani"),
    (0x4E00, 0x9FFF, "Hani"),
    (0xF900, 0xFAFF, "Hani"),
    (0xAC00, 0xD7AF, "Hang"),
    (0x1100, 0x11FF, "Hang"),
    (0x0900, 0x097F, "Deva"),
    (0x0980, 0x09FF, "Beng"),
    (0x0A00, 0x0A7F, "Guru"),
    (0x0A80, 0x0AFF, "Gujr"),
    (0x0B80, 0x0BFF, "Taml"),
    (0x0C00, 0x0C7F, "Telu"),
    (0x0D00, 0x0D7F, "Mlym"),
    (0x0D80, 0x0DFF, "Sinh"),
    (0x0E80, 0x0EFF, "Laoo"),
    (0x1000, 0x109F, "Mymr"),
    (0x1780, 0x17FF, "Khmr"),
    (0x10A0, 0x10FF, "Geor"),
    (0x0530, 0x058F, "Armn"),
    (0x0370, 0x03FF, "Grek"),
    (0x1800, 0x18AF, "Mong"),
    (0x0F00, 0x0FFF, "Tibt"),
)


def script_of(char: str) -> str:
    """ISO 15924-like code of one letter: Latn, Cyrl, Arab, ... or '' if not a letter."""
    if not char.isalpha():
        return ""
    point = ord(char)
    if point < 0x0250 or 0x1E00 <= point <= 0x1EFF:
        return "Latn"
    for low, high, name in _RANGES:
        if low <= point <= high:
            return name
    return unicodedata.name(char, "OTHER").split(" ")[0][:4].title()


# Each character's script, as a plain dict: read for every character of every message,
# where an lru_cache call costs several times a dict look-up.
_SCRIPT_OF: Dict[str, str] = {}
_SCRIPT_OF_SIZE = 8192
_ASCII_LETTERS_DELETED = str.maketrans("", "", string.ascii_letters)


def _ranges_class(ranges: Iterable[Tuple[int, int]]) -> str:
    return "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges)


def _letters_deleted(ranges: Iterable[Tuple[int, int]]) -> Dict[int, None]:
    """A ``str.translate`` table deleting every letter in ``ranges``: the letters are then
    counted by a length difference, in C."""
    return {point: None for low, high in ranges for point in range(low, high + 1) if chr(point).isalpha()}


# The Latin ranges ``script_of`` names at once: a text with nothing outside them (Polish,
# Vietnamese, Romanian...) counts its letters with one C pass too, like a plain-ASCII text.
_LATIN_RANGES = ((0x0000, 0x024F), (0x1E00, 0x1EFF))
_BEYOND_LATIN = re.compile(f"[^{_ranges_class(_LATIN_RANGES)}]")
_LATIN_LETTERS_DELETED = _letters_deleted(_LATIN_RANGES)


def script_counts(text: str) -> Dict[str, int]:
    """How many letters of each script the text holds.

    A text in Latin letters alone (most messages) has its letters counted by
    ``str.translate`` in C, with no loop in Python.
    """
    if text.isascii():  # only Latin letters can be in it
        letters = len(text) - len(text.translate(_ASCII_LETTERS_DELETED))
        return {"Latn": letters} if letters else {}
    if _BEYOND_LATIN.search(text) is None:  # accented Latin only
        letters = len(text) - len(text.translate(_LATIN_LETTERS_DELETED))
        return {"Latn": letters} if letters else {}
    return _counted_one_character_at_a_time(text)


def _counted_one_character_at_a_time(text: str) -> Dict[str, int]:
    """Any text: each distinct character classified once, its count taken from ``Counter`` (C)."""
    counts: Dict[str, int] = {}
    known = _SCRIPT_OF
    for char, number in Counter(text).items():
        script = known.get(char)
        if script is None:
            script = script_of(char)
            if len(known) < _SCRIPT_OF_SIZE:
                known[char] = script
        if script:
            counts[script] = counts.get(script, 0) + number
    return counts


def letter_count(text: str) -> int:
    return sum(script_counts(text).values())
