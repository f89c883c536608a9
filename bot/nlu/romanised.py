"""Languages of other scripts written in Latin letters, put back in their own script.

About a third of what people write in these languages is romanised: Arabizi
("ana m7tajeh 7ad"), Finglish ("komak lazem daram"), Amharic and Tigrinya on a
phone with no Ge'ez keyboard ("selam", "hagezuni"), Russian and Ukrainian in
translit ("mne nuzhna pomoshch"). The sentence encoder has
read these languages in their own script, not in Latin letters, so a romanised
message lands far from the examples that mean the same. A rough transliteration
(no short vowels, one spelling per sound) is enough for it to recognise most
words. Only the encoder's input changes: counsellors and the n-gram features see
the text as written.
"""
from __future__ import annotations

import re
from typing import Dict, List, Mapping, Optional

_WORD = re.compile(r"[a-z0-9']+|[^a-z0-9']+")
_LATIN_LETTER = re.compile(r"[a-z]")

# Longest spellings first; a digit stands for a letter Latin lacks (Arabizi).
_ARABIC: Mapping[str, str] = {
    "3'": "غ", "7'": "خ", "sh": "ش", "ch": "ش", "kh": "خ", "gh": "غ", "th": "ث", "dh": "ذ",
    "2": "ء", "3": "ع", "5": "خ", "6": "ط", "7": "ح", "8": "ق", "9": "ق",
    "b": "ب", "p": "ب", "t": "ت", "j": "ج", "g": "ج", "d": "د", "r": "ر", "z": "ز", "s": "س",
    "f": "ف", "v": "ف", "q": "ق", "k": "ك", "c": "ك", "l": "ل", "m": "م", "n": "ن", "h": "ه",
    "w": "و", "y": "ي", "x": "كس",
}
_PERSIAN: Mapping[str, str] = {
    "sh": "ش", "ch": "چ", "kh": "خ", "gh": "ق", "zh": "ژ",
    "b": "ب", "p": "پ", "t": "ت", "j": "ج", "d": "د", "r": "ر", "z": "ز", "s": "س", "f": "ف",
    "q": "ق", "k": "ک", "g": "گ", "l": "ل", "m": "م", "n": "ن", "h": "ه", "v": "و", "w": "و",
    "y": "ی", "c": "ک", "x": "خ",
}
# Long vowels and diphthongs are written; short ones inside a word are not.
_ARABIC_VOWELS: Mapping[str, str] = {"aa": "ا", "ee": "ي", "ii": "ي", "oo": "و", "ou": "و", "uu": "و", "ai": "ي", "ay": "اي", "ei": "ي"}
_PERSIAN_VOWELS: Mapping[str, str] = {"aa": "ا", "ee": "ی", "ii": "ی", "i": "ی", "oo": "و", "ou": "و", "u": "و", "ei": "ی", "ey": "ی", "ai": "ای"}
_ARABIC_FINAL = {"a": "ا", "e": "ي", "i": "ي", "o": "و", "u": "و"}
_PERSIAN_FINAL = {"a": "ا", "e": "ه", "i": "ی", "o": "و", "u": "و"}

# Ge'ez: each consonant has seven forms in a row of the Unicode block, in the order
# ä u i a e ə o; the romanised vowel picks the form (none: the sixth, ə).
_GEEZ_ROWS: Mapping[str, int] = {
    "h": 0x1200, "l": 0x1208, "m": 0x1218, "r": 0x1228, "s": 0x1230, "sh": 0x1238, "q": 0x1240,
    "b": 0x1260, "v": 0x1268, "t": 0x1270, "ch": 0x1278, "n": 0x1290, "ny": 0x1298, "k": 0x12A8,
    "kh": 0x12B8, "w": 0x12C8, "z": 0x12D8, "zh": 0x12E0, "y": 0x12E8, "d": 0x12F0, "j": 0x1300,
    "g": 0x1308, "gn": 0x1298, "ts": 0x1338, "tz": 0x1338, "f": 0x1348, "p": 0x1350, "c": 0x12A8, "x": 0x12A8,
}
_GEEZ_VOWEL_ROW = 0x12A0  # አ: a vowel with no consonant before it
_GEEZ_ORDERS: Mapping[str, int] = {"e": 0, "u": 1, "i": 2, "a": 3, "ie": 4, "ee": 2, "ii": 2, "aa": 3, "uu": 1, "o": 6, "oo": 1}
# The labialised "wa" forms people spell out: kwankwa = ቋንቋ.
_GEEZ_WA: Mapping[str, str] = {"qw": "ቋ", "kw": "ኳ", "gw": "ጓ"}


# Russian, Ukrainian and Bulgarian typed in Latin letters (translit): one common
# spelling per letter, longest first.
_CYRILLIC_COMMON: Dict[str, str] = {
    "shch": "щ", "sch": "щ", "zh": "ж", "kh": "х", "ts": "ц", "tz": "ц", "ch": "ч", "sh": "ш",
    "yu": "ю", "ju": "ю", "ya": "я", "ja": "я", "yo": "ё", "jo": "ё",
    "a": "а", "b": "б", "v": "в", "w": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и",
    "j": "й", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с",
    "t": "т", "u": "у", "f": "ф", "h": "х", "c": "ц", "y": "ы", "x": "кс", "q": "к", "'": "ь",
}
_CYRILLIC: Mapping[str, Mapping[str, str]] = {
    "ru": _CYRILLIC_COMMON,
    "uk": {**_CYRILLIC_COMMON, "h": "г", "g": "ґ", "y": "и", "i": "і", "yi": "ї", "ye": "є", "je": "є", "e": "е"},
    "bg": {**_CYRILLIC_COMMON, "sht": "щ", "y": "й", "u": "у", "a": "а", "ey": "ей"},
}


_CYRILLIC_VOWELS = frozenset("аеёиоуыэюяіїє")


def _to_cyrillic(word: str, table: Mapping[str, str]) -> str:
    out: List[str] = []
    i = 0
    while i < len(word):
        piece = _longest(word, i, table, longest=4)
        if piece is None:
            out.append(word[i])
            i += 1
        else:
            after_vowel = bool(out) and out[-1][-1] in _CYRILLIC_VOWELS
            out.append("й" if piece in ("y", "j") and after_vowel else table[piece])
            i += len(piece)
    return "".join(out)


def _longest(word: str, start: int, table: Mapping[str, object], longest: int = 2) -> Optional[str]:
    for size in range(longest, 0, -1):
        piece = word[start : start + size]
        if len(piece) == size and piece in table:
            return piece
    return None


def _to_arabic_script(word: str, consonants: Mapping[str, str], vowels: Mapping[str, str], final: Mapping[str, str]) -> str:
    """Consonants and long vowels as letters; a short vowel only at the start or end of a word."""
    out: List[str] = []
    i = 0
    while i < len(word):
        if word[i] in "aeiou":
            long_vowel = _longest(word, i, vowels)
            if i == 0:
                out.append("ا" + (vowels.get(long_vowel, "") if long_vowel and long_vowel[0] != "a" else ""))
                i += len(long_vowel) if long_vowel else 1
            elif long_vowel:
                out.append(vowels[long_vowel])
                i += len(long_vowel)
            elif i == len(word) - 1:
                out.append(final[word[i]])
                i += 1
            else:
                i += 1  # a short vowel inside a word is not written
            continue
        piece = _longest(word, i, consonants)
        if piece is None:
            out.append(word[i])
            i += 1
            continue
        letter = consonants[piece]
        if not (out and out[-1] == letter):  # doubled consonants ("mazboot") are written once
            out.append(letter)
        i += len(piece)
    return "".join(out)


def _to_geez(word: str, initial_a_order: int) -> str:
    """One Ge'ez syllable per consonant and the vowel after it (ሰ-ላ-ም for "selam")."""
    out: List[str] = []
    i = 0
    while i < len(word):
        wa = word[i : i + 3]
        if len(wa) == 3 and wa[:2] in _GEEZ_WA and wa[2] == "a":
            out.append(_GEEZ_WA[wa[:2]])
            i += 3
            continue
        piece = _longest(word, i, _GEEZ_ROWS)
        if piece is None and word[i] not in _GEEZ_ORDERS:
            out.append(word[i])
            i += 1
            continue
        row = _GEEZ_ROWS[piece] if piece else _GEEZ_VOWEL_ROW
        i += len(piece) if piece else 0
        if piece and i < len(word) and word[i] == word[i - 1] and word[i] not in "aeiou":
            i += 1  # gemination is not written
        vowel = _longest(word, i, _GEEZ_ORDERS)
        if vowel is None:
            order = 5
        else:
            order = _GEEZ_ORDERS[vowel]
            i += len(vowel)
            if piece is None and vowel == "a":
                order = initial_a_order
            elif piece is None and vowel == "e":
                order = 5  # a word-initial "e" is እ
        out.append(chr(row + order))
    return "".join(out)


_CONVERTERS = {
    "ar": lambda word: _to_arabic_script(word, _ARABIC, _ARABIC_VOWELS, _ARABIC_FINAL),
    "fa": lambda word: _to_arabic_script(word, _PERSIAN, _PERSIAN_VOWELS, _PERSIAN_FINAL),
    "am": lambda word: _to_geez(word, 0),  # Amharic writes a first "a" as አ
    "ti": lambda word: _to_geez(word, 3),  # Tigrinya as ኣ
    "ru": lambda word: _to_cyrillic(word, _CYRILLIC["ru"]),
    "uk": lambda word: _to_cyrillic(word, _CYRILLIC["uk"]),
    "bg": lambda word: _to_cyrillic(word, _CYRILLIC["bg"]),
}
LANGUAGES = frozenset(_CONVERTERS)


def is_romanised(text: str) -> bool:
    """Mostly plain a-z letters (a Latin word or two inside Ge'ez or Arabic script does not
    count). Stricter than the detector's ``main_script_of``: a Swedish word with å or ä in an
    Amharic line ("vårdcentral የት ነው") leaves the line as written."""
    latin = sum(1 for ch in text if "a" <= ch.lower() <= "z")
    letters = sum(1 for ch in text if ch.isalpha())
    return letters > 0 and latin >= 0.7 * letters


def to_native_script(text: str, language: str) -> str:
    """``text`` in ``language``'s own script, word by word; unchanged for other languages."""
    convert = _CONVERTERS.get(language)
    if convert is None:
        return text
    pieces = _WORD.findall(text.lower())
    return "".join(convert(p) if _LATIN_LETTER.search(p) else p for p in pieces)
