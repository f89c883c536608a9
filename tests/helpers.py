"""Small helpers shared by tests."""
from __future__ import annotations

import json
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


def texts_in(language: str) -> Set[str]:
    """Every text the bot can say in ``language``, rendered as it would be sent."""
    catalog = get_catalog()
    return {catalog.render(key, language).text for key in catalog.texts[language]}


def reply_languages(messages: List[Dict[str, Any]]) -> Set[str]:
    """Languages whose rendered texts include each reply (a reply may fit several)."""
    catalog = get_catalog()
    found: Set[str] = set()
    for message in messages:
        for language in catalog.texts:
            if message.get("text") in texts_in(language):
                found.add(language)
    return found
