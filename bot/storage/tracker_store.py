"""Rasa's RedisTrackerStore, configured from ``REDIS_URL`` and the retention setting,
sealed, and able to erase a conversation when the person asks for it."""
from __future__ import annotations

import logging
from typing import Any, Optional

import redis
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy.erasure import erase_conversation
from bot.privacy.sealed_tracker import SealedTrackerSerialisation
from bot.settings import get_settings
from bot.storage.keys import TRACKER_KEY_PREFIX

logger = logging.getLogger(__name__)

ERASE_ACTION = "action_delete_data"


def erasure_requested(tracker: DialogueStateTracker) -> bool:
    """True when ``action_delete_data`` ran after the person's latest message."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == ERASE_ACTION:
            return True
    return False


class FristadTrackerStore(SealedTrackerSerialisation, RedisTrackerStore):
    """RedisTrackerStore with ``record_exp`` = retention, trackers sealed (AES-GCM) so
    Redis never holds a person's words in clear, and erase-instead-of-save."""

    def __init__(
        self,
        domain: Domain,
        host: Optional[str] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        settings = get_settings()
        # The parent builds its client from host/port; we replace it with one from the URL.
        super().__init__(
            domain=domain,
            event_broker=event_broker,
            record_exp=settings.retention_seconds,
            key_prefix=TRACKER_KEY_PREFIX,
        )
        self.red = redis.Redis.from_url(settings.require_redis_url(), decode_responses=True)

    async def save(self, tracker: DialogueStateTracker, timeout: Optional[float] = None) -> None:
        if erasure_requested(tracker):
            erase_conversation(self.red, tracker.sender_id)
            return
        await super().save(tracker, timeout)
