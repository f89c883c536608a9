"""Rasa trackers stored sealed (AES-GCM), so Redis never holds what a person wrote in clear.

A mix-in for Rasa's ``RedisTrackerStore``: put it first in the bases,
``class FristadTrackerStore(SealedTrackerSerialisation, RedisTrackerStore)``. The
tracker JSON is sealed with the address key (``bot.privacy.sealing``), bound to its
sender id; an unsealed (legacy) value is still read, and sealed on the next save.
"""
from __future__ import annotations

import logging
from typing import Any, Optional, Text

from bot.privacy.sealing import VERSION, SealError, seal, unseal

logger = logging.getLogger(__name__)
_PREFIX = f"{VERSION}:"


class SealedTrackerSerialisation:
    """Overrides the two (de)serialisation hooks of Rasa's SerializedTrackerStore."""

    def serialise_tracker(self, tracker: Any) -> Text:
        plain = super().serialise_tracker(tracker)  # type: ignore[misc]
        return seal(plain, tracker.sender_id)

    def deserialise_tracker(self, sender_id: Text, serialised_tracker: Any) -> Optional[Any]:
        raw = serialised_tracker.decode("utf-8") if isinstance(serialised_tracker, bytes) else serialised_tracker
        if isinstance(raw, str) and raw.startswith(_PREFIX):
            try:
                raw = unseal(raw, sender_id)
            except SealError:
                logger.error("a stored conversation does not open (address key changed?); starting afresh")
                return None
        return super().deserialise_tracker(sender_id, raw)  # type: ignore[misc]
