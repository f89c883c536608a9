"""Fold the spellings one word takes in chat into one form, for features only.

People who write to Fristad type on whatever keyboard they have: Vietnamese,
Albanian, Hungarian or Polish without diacritics, Arabic and Persian with either
language's letters, "pleeease" for please. The classifier should see these as the
same word. Only the features use the folded form: the text shown to counsellors and
the language detector keep every letter as written.
"""
from __future__ import annotations

import re
import unicodedata

from bot.language.ngram import UNACCENTED_LETTERS  # letters NFD does not decompose: ł, đ, ø, ß ...

# Arabic-script spelling variants: hamza on alef, alef maqsura, ta marbuta, tatweel,
# and the Arabic and Persian forms of kaf and yeh (one language types the other's).
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ی", "ي": "ی", "ئ": "ی", "ة": "ه", "ك": "ک", "ـ": None, "ؤ": "و"})
_CYRILLIC_LETTERS = str.maketrans({"ё": "е"})
_REPEATS = re.compile(r"(\w)\1{2,}")


def _is_latin_or_arabic(char: str) -> bool:
    code = ord(char)
    return code < 0x250 or 0x1E00 <= code <= 0x1EFF or 0x600 <= code <= 0x6FF


def fold(word: str) -> str:
    """Lower-cased, without Latin diacritics or Arabic vowel marks, letter variants unified."""
    text = unicodedata.normalize("NFKC", word).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    kept = []
    for char in decomposed:
        # Drop a combining mark only after a Latin or Arabic letter: Thai, Ge'ez and
        # Devanagari marks are part of the letter, not an accent.
        if unicodedata.combining(char) and kept and _is_latin_or_arabic(kept[-1]):
            continue
        kept.append(char)
    text = unicodedata.normalize("NFC", "".join(kept))
    text = text.translate(UNACCENTED_LETTERS).translate(_ARABIC_LETTERS).translate(_CYRILLIC_LETTERS)
    return _REPEATS.sub(r"\1\1", text)
