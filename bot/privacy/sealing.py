"""AES-GCM sealing of small secrets (a phone number, a chat id) kept in Redis.

Whoever reads Redis (a backup, a debugging operator) sees only ciphertext; the key
lives in the environment (``FRISTAD_ADDRESS_KEY``). The associated data binds a
sealed value to the conversation it belongs to, so a value copied under another
conversation's key does not open.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import logging
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.settings import get_settings

logger = logging.getLogger(__name__)
_DEV_KEY = "fristad-development-address-key-do-not-use-in-production"
_NONCE_BYTES = 12
VERSION = "v1"


class SealError(ValueError):
    """A sealed value that cannot be opened (wrong key, wrong conversation, damaged)."""


@functools.lru_cache(maxsize=4)
def _aead(secret: str) -> AESGCM:
    # HKDF turns an operator's passphrase of any length into a 256-bit AES key.
    key = HKDF(algorithm=SHA256(), length=32, salt=b"fristad-address-v1", info=b"address").derive(secret.encode("utf-8"))
    return AESGCM(key)


def _cipher() -> AESGCM:
    secret = get_settings().address_key
    if not secret:
        logger.warning("FRISTAD_ADDRESS_KEY is not set; using a development key")
        secret = _DEV_KEY
    return _aead(secret)


def seal(plaintext: str, context: str) -> str:
    """``plaintext`` encrypted and authenticated, bound to ``context`` (a sender id)."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _cipher().encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    return f"{VERSION}:" + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(token: str, context: str) -> str:
    """The plaintext of :func:`seal`; raises :class:`SealError` when it does not open."""
    try:
        version, body = token.split(":", 1)
        if version != VERSION:
            raise SealError("unknown sealing version")
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
        plain = _cipher().decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode("utf-8"))
        return plain.decode("utf-8")
    except (InvalidTag, ValueError, UnicodeError) as problem:
        raise SealError("sealed value does not open") from problem


def short_hash(value: str) -> str:
    """A short, unkeyed fingerprint for de-duplication keys (ids that are not personal)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]
