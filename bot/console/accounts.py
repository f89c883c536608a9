"""Counsellor accounts and console sessions, in Redis.

Passwords are stored as salted scrypt hashes (slow on purpose: a stolen Redis dump
must not give away logins). Sessions are random tokens; Redis keeps only their
SHA-256, with the session lifetime as TTL.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from typing import Optional, Sequence

import redis
import redis.asyncio as aioredis

from bot.handoff.queue import Counsellor
from bot.privacy.pseudonym import pseudonymous_id
from bot.storage.keys import ROOT

ACCOUNT_PREFIX = f"{ROOT}:console:counsellor:"
SESSION_PREFIX = f"{ROOT}:console:session:"
LOGIN_FAILURES_PREFIX = f"{ROOT}:console:login-failures:"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,31}$")
TEAMS = ("youth", "shelter", "county")
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
LOGIN_WINDOW_SECONDS = 300
MAX_LOGIN_FAILURES = 10


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=64 * 1024 * 1024)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed.hex(), digest)


def account_key(name: str) -> str:
    return f"{ACCOUNT_PREFIX}{name}"


def validate_name(name: str) -> str:
    if not NAME_PATTERN.match(name or ""):
        raise ValueError("a counsellor name is 1-32 lower-case letters, digits, '.', '_' or '-'")
    return name


def add_counsellor(
    client: redis.Redis, name: str, password: str, *, teams: Sequence[str], languages: Sequence[str], alias: Optional[str] = None
) -> Counsellor:
    """Create or update an account (the CLI's job)."""
    validate_name(name)
    unknown = [t for t in teams if t not in TEAMS]
    if unknown or not teams:
        raise ValueError(f"teams must be among {', '.join(TEAMS)}")
    if len(password) < 10:
        raise ValueError("the password must have at least 10 characters")
    alias = (alias or name.split(".")[0]).strip().capitalize()[:40]
    client.hset(account_key(name), mapping={
        "alias": alias, "teams": json.dumps(list(teams)), "languages": json.dumps(list(languages)),
        "password": hash_password(password),
    })
    return Counsellor(name, alias, list(teams), list(languages))


def _counsellor(name: str, record: dict) -> Optional[Counsellor]:
    if not record:
        return None
    return Counsellor(name, record.get("alias") or name, json.loads(record.get("teams") or "[]"), json.loads(record.get("languages") or "[]"))


async def get_counsellor(client: aioredis.Redis, name: str) -> Optional[Counsellor]:
    return _counsellor(name, await client.hgetall(account_key(name)))


async def password_hash(client: aioredis.Redis, name: str) -> Optional[str]:
    return await client.hget(account_key(name), "password")


def _token_key(token: str) -> str:
    return SESSION_PREFIX + hashlib.sha256(token.encode()).hexdigest()


async def create_session(client: aioredis.Redis, name: str, seconds: int) -> str:
    token = secrets.token_urlsafe(32)
    await client.set(_token_key(token), name, ex=seconds)
    return token


async def session_name(client: aioredis.Redis, token: Optional[str]) -> Optional[str]:
    if not token or len(token) > 100:
        return None
    return await client.get(_token_key(token))


async def end_session(client: aioredis.Redis, token: Optional[str]) -> None:
    if token and len(token) <= 100:
        await client.delete(_token_key(token))


def _failure_key(subject: str) -> str:
    """Keyed like every other stored address (the pseudonym HMAC): a plain hash of an
    IPv4 address is reversed by hashing all four billion of them."""
    return LOGIN_FAILURES_PREFIX + pseudonymous_id("login-failure", subject)


async def too_many_failures(client: aioredis.Redis, *subjects: str) -> bool:
    """Rate limit on failed logins, per client address and per account name."""
    counts = [await client.get(_failure_key(s)) for s in subjects]
    return any(int(c or 0) >= MAX_LOGIN_FAILURES for c in counts)


async def record_failure(client: aioredis.Redis, *subjects: str) -> None:
    pipe = client.pipeline(transaction=False)
    for s in subjects:
        key = _failure_key(s)
        pipe.incr(key)
        pipe.expire(key, LOGIN_WINDOW_SECONDS)
    await pipe.execute()
