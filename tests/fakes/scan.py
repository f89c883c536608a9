"""Look for personal data in every Redis key and value and in every log file."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Iterable, List, Set

import redis


def variants(secret: str) -> Set[str]:
    """The forms a secret may take when stored: as is, JSON-escaped, digits without '+'."""
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    if secret.startswith("+"):
        forms.add(secret[1:])
    return {f for f in forms if len(f) >= 6}


def redis_dump(client: redis.Redis, skip_prefixes: Iterable[str] = ()) -> Dict[str, str]:
    """Every key with its value(s) as one string, whatever the type."""
    out: Dict[str, str] = {}
    for key in client.scan_iter("*", count=1000):
        if any(key.startswith(p) for p in skip_prefixes):
            out[key] = ""
            continue
        kind = client.type(key)
        if kind == "string":
            value = client.get(key) or ""
        elif kind == "hash":
            value = json.dumps(client.hgetall(key), ensure_ascii=False)
        elif kind == "list":
            value = json.dumps(client.lrange(key, 0, -1), ensure_ascii=False)
        elif kind == "set":
            value = json.dumps(sorted(client.smembers(key)), ensure_ascii=False)
        elif kind == "zset":
            value = json.dumps(client.zrange(key, 0, -1, withscores=True), ensure_ascii=False)
        elif kind == "stream":
            value = json.dumps(client.xrange(key), ensure_ascii=False)
        else:
            value = ""
        out[key] = value
    return out


def find_in_redis(client: redis.Redis, secrets: Iterable[str], skip_prefixes: Iterable[str] = ()) -> List[str]:
    found = []
    dump = redis_dump(client, skip_prefixes)
    for secret in secrets:
        for form in variants(secret):
            for key, value in dump.items():
                if form in key or form in value:
                    found.append(f"{secret!r} in redis key {key}")
    return found


def find_in_logs(log_dir: Path, secrets: Iterable[str]) -> List[str]:
    found = []
    files = [p for p in log_dir.rglob("*") if p.is_file()]
    assert files, f"no log files under {log_dir}"
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for secret in secrets:
            for form in variants(secret):
                if form in text:
                    found.append(f"{secret!r} in {path.name}")
    return found
