"""Small helpers shared by tests."""
from __future__ import annotations

import functools
import json
import re
import urllib.error
import urllib.request
from typing import Any, Dict, List, Optional, Set, Tuple

from bot.nlg.catalog import get_catalog


def post(url: str, body: Any, raw: Optional[bytes] = None, timeout: float = 60) -> Tuple[int, Any]:
    """POST JSON (or raw bytes); returns (status, parsed JSON or text)."""
    data = raw if raw is not None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            status, payload = reply.status, reply.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    try:
        return status, json.loads(payload)
    except ValueError:
        return status, payload.decode("utf-8", "replace")


def say(base: str, sender: str, text: Any) -> List[Dict[str, Any]]:
    status, messages = post(f"{base}/webhooks/rest/webhook", {"sender": sender, "message": text})
    assert status == 200, (status, messages)
    assert isinstance(messages, list)
    return messages


class TextsIn:
    """Every text the bot can say in one language; ``text in texts`` also matches
    texts whose placeholders (queue position, wait, name) were filled at runtime."""

    def __init__(self, language: str) -> None:
        catalog = get_catalog()
        marked = {name: f"\x00{name}\x00" for name in RUNTIME_FIELDS}
        self.patterns = [re.compile(_pattern(catalog.render(key, language, marked).text), re.S) for key in catalog.texts[language]]

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and any(p.fullmatch(_spaces(text)) for p in self.patterns)

    def begins(self, text: str) -> bool:
        """Whether ``text`` starts with one of the texts (an SMS adds numbered options)."""
        return any(p.match(_spaces(text)) for p in self.patterns)

    def __iter__(self):
        return iter(p.pattern for p in self.patterns)


RUNTIME_FIELDS = ("queue_position", "wait_minutes", "counsellor_name")


def _pattern(template: str) -> str:
    """A rendered template with NUL-marked fields -> a regex where each field is ``.+?``."""
    parts = re.split("\x00(?:%s)\x00" % "|".join(RUNTIME_FIELDS), template)
    return ".+?".join(re.escape(_spaces(part)) for part in parts)


def _spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@functools.lru_cache(maxsize=None)
def texts_in(language: str) -> TextsIn:
    return TextsIn(language)


def reply_languages(messages: List[Dict[str, Any]]) -> Set[str]:
    """Languages whose rendered texts include each reply (a reply may fit several)."""
    catalog = get_catalog()
    found: Set[str] = set()
    for message in messages:
        for language in catalog.texts:
            if message.get("text") in texts_in(language):
                found.add(language)
    return found
