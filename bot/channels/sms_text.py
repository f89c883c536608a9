"""SMS text: which encoding a text needs, how many segments it costs, where to split.

A text made only of GSM 03.38 characters travels as GSM-7 (160 characters in one
segment, 153 per segment when concatenated); a single other character turns the
whole message into UCS-2 (70, or 67 per segment). Typographic quotes and dashes
are replaced by their GSM-7 twins so they do not double the cost; text in scripts
outside GSM-7 stays as it is (the person must be able to read it).
"""
from __future__ import annotations

import re
from typing import List

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")  # each costs two septets
_TYPOGRAPHIC = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"',
    "\u201e": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " ", "\u2026": "...",
    "\u00ab": '"', "\u00bb": '"',
})
# A sentence ends at . ! ? (and their CJK, Arabic and Devanagari twins) followed by a
# space; a line break always ends one. The separator is kept so that lines stay lines.
# Options are written "1) Yes", not "1. Yes", so an option is never cut after its number.
_SENTENCE_END = re.compile(r"((?<=[.!?。؟।…])[ \t]+|\n+)")
MAX_SEGMENTS_PER_MESSAGE = 3


def to_gsm_friendly(text: str) -> str:
    return text.translate(_TYPOGRAPHIC)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def units(text: str) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2) the text occupies."""
    if is_gsm7(text):
        return sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    """How many SMS segments the operator bills for ``text``."""
    single, multi = (160, 153) if is_gsm7(text) else (70, 67)
    count = units(text)
    if count <= single:
        return 1 if count else 0
    return -(-count // multi)


def capacity(text: str, max_segments: int = MAX_SEGMENTS_PER_MESSAGE) -> int:
    single, multi = (160, 153) if is_gsm7(text) else (70, 67)
    return single if max_segments == 1 else multi * max_segments


def split_message(text: str, max_segments: int = MAX_SEGMENTS_PER_MESSAGE) -> List[str]:
    """``text`` as messages of at most ``max_segments`` segments, cut between sentences.

    A sentence longer than one message is cut between words, and a word longer than
    that between characters: nothing is ever lost.
    """
    text = to_gsm_friendly(text).strip()
    if not text:
        return []
    if segments(text) <= max_segments:
        return [text]
    tokens = _SENTENCE_END.split(text)
    # tokens alternate: sentence, separator, sentence, ...
    pieces = [(tokens[i].strip(), tokens[i - 1] if i else "") for i in range(0, len(tokens), 2)]
    messages: List[str] = []
    current = ""
    for piece, separator in pieces:
        if not piece:
            continue
        joiner = "\n" if "\n" in separator else " "
        for part in _fit(piece, max_segments):
            candidate = f"{current}{joiner}{part}" if current else part
            if segments(candidate) <= max_segments:
                current = candidate
            else:
                if current:
                    messages.append(current)
                current = part
            joiner = " "
    if current:
        messages.append(current)
    return messages


def _fit(sentence: str, max_segments: int) -> List[str]:
    """A sentence cut between words (then characters) into parts that fit one message."""
    if segments(sentence) <= max_segments:
        return [sentence]
    parts: List[str] = []
    current = ""
    for word in sentence.split(" "):
        while segments(word) > max_segments:
            head = word
            while segments(head) > max_segments:
                head = head[: max(1, len(head) * 9 // 10)]
            if current:
                parts.append(current)
                current = ""
            parts.append(head)
            word = word[len(head):]
        candidate = f"{current} {word}".strip() if current else word
        if segments(candidate) <= max_segments:
            current = candidate
        else:
            parts.append(current)
            current = word
    if current:
        parts.append(current)
    return parts


def with_options(text: str, buttons: List[dict]) -> str:
    """Buttons as numbered lines the person answers with the number."""
    if not buttons:
        return text
    lines = [f"{index}) {button['title']}" for index, button in enumerate(buttons, start=1)]
    return text.rstrip() + "\n" + "\n".join(lines)
