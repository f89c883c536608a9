"""The sealed-tracker mix-in: Redis holds only ciphertext, Rasa reads the tracker back."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy.sealed_tracker import SealedTrackerSerialisation


class SealedStore(SealedTrackerSerialisation, RedisTrackerStore):
    pass


@pytest.fixture
def store(redis_server, redis_client):
    url = urlparse(redis_server.url)
    return SealedStore(Domain.empty(), host=url.hostname, port=url.port, key_prefix="sealedtest")


async def test_tracker_is_sealed_in_redis_and_reads_back(store, redis_client) -> None:
    tracker = DialogueStateTracker("sms-abc123", slots=[])
    tracker.update(UserUttered("mi-au luat pașaportul, sunt la ferma din Skåne"))
    await store.save(tracker)
    raw = " ".join(redis_client.get(key) for key in redis_client.scan_iter("sealedtest*"))
    assert raw.startswith("v1:") and "pașaportul" not in raw and "pa\\u0219aportul" not in raw
    again = await store.retrieve("sms-abc123")
    assert again.latest_message.text == "mi-au luat pașaportul, sunt la ferma din Skåne"


async def test_unsealed_legacy_value_is_still_read(store, redis_client) -> None:
    plain_store = RedisTrackerStore(Domain.empty(), host=store.red.connection_pool.connection_kwargs["host"],
                                    port=store.red.connection_pool.connection_kwargs["port"], key_prefix="sealedtest")
    tracker = DialogueStateTracker("sms-legacy", slots=[])
    tracker.update(UserUttered("hello"))
    await plain_store.save(tracker)
    assert (await store.retrieve("sms-legacy")).latest_message.text == "hello"
