"""Remove personal data from log lines and exports before they are written.

A spaCy blank pipeline (tokenizer only, no model to download) and its rule-based
``Matcher`` find phone numbers (international and Swedish forms), e-mail addresses,
Swedish personal identity numbers, passport-like numbers and IBANs; candidates are
then checked (digit counts, Luhn, mod-97) so that ordinary numbers survive.
Pseudonymous sender ids are shortened: logs may say which conversation, never in full.

``install_log_redaction()`` puts :class:`RedactingFilter` on the root logger and on
every handler, so Rasa's and Sanic's own lines pass through it too.
"""
from __future__ import annotations

import functools
import logging
import re
import threading
from typing import List, Tuple

logger = logging.getLogger(__name__)

_PHONE_PIECE = r"^(\+?\d[\d\-–.]*|[\-–.()/]|\+|\(\d+\)?)$"
_IBAN_HEAD = r"^[A-Z]{2}\d{2}[A-Z0-9]{0,30}$"
_IBAN_PIECE = r"^[A-Z0-9]{1,4}$"
_PASSPORT = r"^(?=(?:[^\d]*\d){6})(?=.*[A-Z])[A-Z0-9]{8,9}$"
_PERSONNUMMER = re.compile(r"^(\d{6}|\d{8})[-+]?\d{4}$")
_PSEUDONYM = re.compile(r"\b(telegram|sms|widget|rest|socketio|console)-([0-9a-f]{6})[0-9a-f]{10,}\b")
_ALNUM = re.compile(r"[^A-Z0-9]")
# Bot API tokens appear in URLs ("/bot123456:AA.../sendMessage") that HTTP clients log.
_BOT_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
# Backstop for digits glued to other characters ("chat_id=123456789", "from:+4670...").
_DIGIT_RUN = re.compile(r"(?<![A-Za-z0-9])\+?\d{7,}(?![A-Za-z0-9])")
LABELS = {"PHONE": "[phone]", "EMAIL": "[email]", "PNR": "[personnummer]", "PASSPORT": "[passport]", "IBAN": "[iban]"}


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _iban_ok(candidate: str) -> bool:
    if not 15 <= len(candidate) <= 34:
        return False
    moved = candidate[4:] + candidate[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


class Redactor:
    """Finds and replaces personal data in a text. Thread-safe; build once per process."""

    def __init__(self) -> None:
        import spacy
        from spacy.matcher import Matcher

        self.nlp = spacy.blank("xx")
        self.matcher = Matcher(self.nlp.vocab)
        self.matcher.add("PHONE", [[{"TEXT": {"REGEX": _PHONE_PIECE}, "OP": "+"}]], greedy="LONGEST")
        self.matcher.add("EMAIL", [[{"LIKE_EMAIL": True}]])
        self.matcher.add("IBAN", [[{"TEXT": {"REGEX": _IBAN_HEAD}}, {"TEXT": {"REGEX": _IBAN_PIECE}, "OP": "*"}]], greedy="LONGEST")
        self.matcher.add("PASSPORT", [[{"TEXT": {"REGEX": _PASSPORT}}]])
        self._lock = threading.Lock()  # the Matcher is not documented as thread-safe

    def spans(self, text: str) -> List[Tuple[int, int, str]]:
        """(start char, end char, label) of personal data in ``text``, not overlapping."""
        with self._lock:
            doc = self.nlp.make_doc(text)
            matches = self.matcher(doc)
        found: List[Tuple[int, int, str]] = []
        for match_id, start, end in matches:
            label = self.nlp.vocab.strings[match_id]
            checked = self._check(doc, start, end, label)
            if checked:
                found.append(checked)
        found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        result: List[Tuple[int, int, str]] = []
        for span in found:
            if result and span[0] < result[-1][1]:
                continue
            result.append(span)
        return result

    def _check(self, doc, start: int, end: int, label: str):
        if label == "PHONE":
            # Trim punctuation at the edges, then count digits.
            while start < end and not any(c.isdigit() for c in doc[start].text):
                start += 1
            while end > start and not any(c.isdigit() for c in doc[end - 1].text):
                end -= 1
            if start >= end:
                return None
            span = doc[start:end]
            compact = re.sub(r"[\s\-–.()/]", "", span.text)
            digits = re.sub(r"\D", "", compact)
            if _PERSONNUMMER.match(compact) and _luhn_ok(digits[-10:]):
                return span.start_char, span.end_char, "PNR"
            if 7 <= len(digits) <= 15:
                return span.start_char, span.end_char, "PHONE"
            return None
        if label == "IBAN":
            # The greedy match may run into a following word: shrink until mod-97 holds.
            for stop in range(end, start, -1):
                span = doc[start:stop]
                if _iban_ok(_ALNUM.sub("", span.text.upper())):
                    return span.start_char, span.end_char, "IBAN"
            return None
        span = doc[start:end]
        return span.start_char, span.end_char, label

    def redact(self, text: str) -> str:
        """``text`` with personal data replaced by ``[phone]``, ``[email]`` and so on."""
        if not text:
            return text
        if any(ch.isdigit() for ch in text) or "@" in text:
            text = _BOT_TOKEN.sub("[token]", text)
            pieces = []
            last = 0
            for start, end, label in self.spans(text):
                pieces.append(text[last:start])
                pieces.append(LABELS[label])
                last = end
            pieces.append(text[last:])
            text = _DIGIT_RUN.sub(LABELS["PHONE"], "".join(pieces))
        return _PSEUDONYM.sub(lambda m: f"{m.group(1)}-{m.group(2)}…", text)


@functools.lru_cache(maxsize=1)
def get_redactor() -> Redactor:
    return Redactor()


def redact(text: str) -> str:
    return get_redactor().redact(text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and exception text) with personal data removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_fristad_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the line
            message = str(record.msg)
        try:
            record.msg = redact(message)
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = redact(record.exc_text)
        except Exception:  # never let redaction break logging: drop the text instead
            record.msg = "[log line withheld: redaction failed]"
            record.args = None
        record._fristad_redacted = True
        return True


_FILTER = RedactingFilter()


# Loggers of libraries that write message bodies, chat ids or the bot token (in the
# request URL) at INFO/DEBUG. Kept at WARNING whatever the root level is.
CHATTY_LOGGERS = ("httpx", "httpcore", "telegram", "telegram.ext", "hpack", "urllib3")


def quiet_chatty_loggers() -> None:
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def install_log_redaction() -> RedactingFilter:
    """Attach the filter to the root logger and every handler that exists now.

    Filters on a logger only see records logged on that very logger; filters on
    handlers see everything that handler writes, including propagated records. So
    both. Safe to call more than once (each start-up hook may call it).
    """
    get_redactor()  # build the pipeline now, not on the first log line
    quiet_chatty_loggers()
    root = logging.getLogger()
    loggers = [root] + [l for l in logging.Logger.manager.loggerDict.values() if isinstance(l, logging.Logger)]
    for log in loggers:
        for handler in log.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
    if _FILTER not in root.filters:
        root.addFilter(_FILTER)
    return _FILTER
