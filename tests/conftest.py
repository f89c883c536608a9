"""Shared fixtures: a real Redis server and the real Fristad server (Rasa + actions)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
import redis

from bot.settings import PROJECT_ROOT
from bot.storage.embedded_redis import EmbeddedRedis, free_port

TEST_PSEUDONYM_KEY = "test-pseudonym-key-0123456789abcdef"
TEST_ADDRESS_KEY = "test-address-key-0123456789abcdef0123456789"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    """A real redis-server on a free port, append-only, for the whole session."""
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_client(redis_server: EmbeddedRedis) -> Iterator[redis.Redis]:
    """A client on a flushed database."""
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture(scope="session")
def server_env(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Environment of the Fristad server under test (free ports, test keys)."""
    data_dir = tmp_path_factory.mktemp("fristad-data")
    env = dict(os.environ)
    env.update(
        FRISTAD_PORT=str(free_port()),
        ACTION_PORT=str(free_port()),
        REDIS_URL=redis_server.url,
        FRISTAD_DATA_DIR=str(data_dir),
        FRISTAD_PSEUDONYM_KEY=TEST_PSEUDONYM_KEY,
        FRISTAD_ADDRESS_KEY=TEST_ADDRESS_KEY,
        FRISTAD_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="session")
def fristad_server(server_env: dict) -> Iterator[str]:
    """``python -m bot.run`` (the same as ``make run``) against the test Redis.

    Yields the base URL. Output goes to ``<data dir>/logs/server-output.log`` so the
    privacy scan can read every log line the server wrote.
    """
    log_dir = Path(server_env["FRISTAD_DATA_DIR"]) / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    output = open(log_dir / "server-output.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.run"], cwd=PROJECT_ROOT, env=server_env,
        stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{server_env['FRISTAD_PORT']}"
    deadline = time.monotonic() + 600
    ready = False
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{server_env['ACTION_PORT']}/health", timeout=1):
                with urllib.request.urlopen(f"{base}/webhooks/rest/", timeout=1):
                    ready = True
                    break
        except OSError:
            time.sleep(1)
    if not ready:
        process.kill()
        output.close()
        tail = (log_dir / "server-output.log").read_text(errors="replace")[-3000:]
        pytest.fail(f"Fristad server did not start:\n{tail}")
    yield base
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    output.close()
