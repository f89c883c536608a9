"""Where the address needed to write back to a person (phone number, chat id) lives.

Only encrypted (``bot.privacy.sealing``), under the conversation's prefix so that
erasing the conversation erases it, and with the retention as time-to-live so that
a forgotten conversation forgets its address too.
"""
from __future__ import annotations

import logging
from typing import Optional

from bot.privacy.sealing import SealError, seal, unseal
from bot.settings import get_settings
from bot.storage.keys import conversation_key

logger = logging.getLogger(__name__)


def address_key(sender_id: str) -> str:
    return conversation_key(sender_id, "address")


async def remember_address(client, sender_id: str, address: str) -> None:
    """Store (or refresh) the sealed address; ``client`` is an asyncio Redis client."""
    await client.set(address_key(sender_id), seal(address, sender_id), ex=get_settings().retention_seconds)


async def recall_address(client, sender_id: str) -> Optional[str]:
    """The address in clear, or None when unknown, expired, erased or not openable."""
    sealed = await client.get(address_key(sender_id))
    if not sealed:
        return None
    try:
        return unseal(sealed, sender_id)
    except SealError:
        logger.warning("stored address of a conversation does not open (key changed?)")
        return None
