"""The whole conversation for the console: the bot part from Rasa's tracker, plus
relay entries the tracker does not have yet (a message still in Rasa's hands)."""
from __future__ import annotations

import inspect
from typing import Any, Dict, List, Optional

from rasa.shared.core.events import BotUttered, UserUttered


async def from_tracker(agent: Any, sender_id: str) -> Optional[List[Dict[str, Any]]]:
    """Person and bot/counsellor messages, oldest first; None without a tracker store."""
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return None
    tracker = store.retrieve(sender_id)
    if inspect.isawaitable(tracker):
        tracker = await tracker
    if tracker is None:
        return []
    lines: List[Dict[str, Any]] = []
    for event in tracker.events:
        if isinstance(event, UserUttered) and event.text:
            lines.append({"from": "person", "text": _as_read(event), "ts": event.timestamp})
        elif isinstance(event, BotUttered) and event.text:
            counsellor = (event.metadata or {}).get("counsellor")
            line = {"from": "counsellor" if counsellor else "bot", "text": event.text, "ts": event.timestamp}
            if counsellor:
                line["alias"] = counsellor
            lines.append(line)
    return lines




def merge(transcript: Optional[List[Dict[str, Any]]], relay_entries: List[Dict[str, str]]) -> List[Dict[str, Any]]:
    """Tracker transcript, then relay entries newer than its last line (or the relay alone)."""
    if transcript is None:
        return [{"from": e.get("from"), "text": e.get("text"), "ts": float(e.get("ts", 0)), **({"alias": e["alias"]} if e.get("alias") else {})} for e in relay_entries]
    last = max((line["ts"] for line in transcript), default=0.0)
    tail = [
        {"from": e.get("from"), "text": e.get("text"), "ts": float(e.get("ts", 0)), **({"alias": e["alias"]} if e.get("alias") else {})}
        for e in relay_entries
        if float(e.get("ts", 0)) > last + 0.001 and e.get("from") == "person"
    ]
    return transcript + tail


def _as_read(event: UserUttered) -> str:
    """A button press ("/passport_taken") reads as what it was, not as a payload."""
    if event.text.startswith("/"):
        intent = (event.intent or {}).get("name") or event.text[1:].split("{")[0]
        return f"[button: {intent}]"
    return event.text
