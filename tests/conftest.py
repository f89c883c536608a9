"""Shared fixtures: a real Redis server and the real Fristad server (Rasa + actions)."""
from __future__ import annotations

import contextlib
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
# Channels (Telegram and Twilio are faked by local HTTP servers, tests/fakes/).
# A fake token in the shape Telegram uses (digits:secret), assembled so it never looks like a real one.
TEST_TELEGRAM_TOKEN = ":".join(("123456", "TEST-telegram-token-0123456789abcdef"))
TEST_TELEGRAM_SECRET = "test-telegram-secret-0123456789"
TEST_TWILIO_SID = "AC" + "0" * 32
TEST_TWILIO_TOKEN = "test-twilio-auth-token-0123456789"
TEST_TWILIO_NUMBER = "+46700000000"


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
def fake_telegram():
    """A local fake of Telegram's Bot API (real HTTP on loopback)."""
    from fakes.fake_telegram import FakeTelegram

    server = FakeTelegram(TEST_TELEGRAM_TOKEN).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fake_twilio():
    """A local fake of Twilio's REST API (real HTTP on loopback)."""
    from fakes.fake_twilio import FakeTwilio

    server = FakeTwilio(TEST_TWILIO_SID, TEST_TWILIO_TOKEN).start()
    yield server
    server.stop()


def channel_env(telegram_url: str, twilio_url: str, port: int) -> dict:
    """Channel settings pointing at the local fakes; the public URL is the test server's."""
    return dict(
        TELEGRAM_TOKEN=TEST_TELEGRAM_TOKEN,
        TELEGRAM_SECRET_TOKEN=TEST_TELEGRAM_SECRET,
        TELEGRAM_API_BASE_URL=telegram_url,
        TWILIO_ACCOUNT_SID=TEST_TWILIO_SID,
        TWILIO_AUTH_TOKEN=TEST_TWILIO_TOKEN,
        TWILIO_NUMBER=TEST_TWILIO_NUMBER,
        TWILIO_API_BASE_URL=twilio_url,
        FRISTAD_PUBLIC_URL=f"http://127.0.0.1:{port}",
    )


@contextlib.contextmanager
def running_channel_app(redis_server: EmbeddedRedis, data_dir: Path, fake_telegram, fake_twilio, **settings: str):
    """Fristad's channels in a Sanic app without Rasa (tests/fakes/channel_app.py), with
    the test keys and the local fakes, and ``settings`` on top."""
    from fakes.harness import start_channel_app, stop_channel_app

    port = free_port()
    env = dict(os.environ)
    env.update(channel_env(fake_telegram.url, fake_twilio.url, port))
    env.update(
        REDIS_URL=redis_server.url, FRISTAD_DATA_DIR=str(data_dir), FRISTAD_PSEUDONYM_KEY=TEST_PSEUDONYM_KEY,
        FRISTAD_ADDRESS_KEY=TEST_ADDRESS_KEY, FRISTAD_LOG_LEVEL="INFO", PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    app = start_channel_app(env, port, data_dir / "logs")
    try:
        yield app
    finally:
        stop_channel_app(app)


@pytest.fixture(scope="session")
def channel_app(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory, fake_telegram, fake_twilio):
    """Fristad's channels in a Sanic app without Rasa, with the default settings."""
    with running_channel_app(redis_server, tmp_path_factory.mktemp("channel-app"), fake_telegram, fake_twilio) as app:
        yield app


@pytest.fixture(scope="session")
def server_env(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory, fake_telegram, fake_twilio) -> dict:
    """Environment of the Fristad server under test (free ports, test keys, fake Telegram/Twilio)."""
    data_dir = tmp_path_factory.mktemp("fristad-data")
    env = dict(os.environ)
    port = free_port()
    env.update(channel_env(fake_telegram.url, fake_twilio.url, port))
    env.update(
        FRISTAD_PORT=str(port),
        ACTION_PORT=str(free_port()),
        REDIS_URL=redis_server.url,
        FRISTAD_DATA_DIR=str(data_dir),
        FRISTAD_PSEUDONYM_KEY=TEST_PSEUDONYM_KEY,
        FRISTAD_ADDRESS_KEY=TEST_ADDRESS_KEY,
        FRISTAD_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


@contextlib.contextmanager
def running_server(env: dict) -> Iterator[str]:
    """``python -m bot.run --no-train`` (``make run`` on the trained model) with ``env``.

    Yields the base URL. Output goes to ``<data dir>/logs/server-output.log`` so the
    privacy scan can read every log line the server wrote. The whole process group
    (Rasa, the action server) is stopped afterwards, also when start-up fails.
    """
    log_dir = Path(env["FRISTAD_DATA_DIR"]) / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    output = open(log_dir / "server-output.log", "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.run", "--no-train"], cwd=PROJECT_ROOT, env=env,
        stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{env['FRISTAD_PORT']}"
    try:
        deadline = time.monotonic() + 600
        ready = False
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{env['ACTION_PORT']}/health", timeout=1):
                    with urllib.request.urlopen(f"{base}/webhooks/rest/", timeout=1):
                        ready = True
                        break
            except OSError:
                time.sleep(1)
        if not ready:
            tail = (log_dir / "server-output.log").read_text(errors="replace")[-3000:]
            pytest.fail(f"Fristad server did not start:\n{tail}")
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        output.close()


@pytest.fixture(scope="session")
def fristad_server(server_env: dict) -> Iterator[str]:
    """The real server against the session's test Redis, shared by the e2e tests."""
    with running_server(server_env) as base:
        yield base


@pytest.fixture(scope="module")
def isolated_server(server_env: dict, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """A real server on a Redis of its own (for a test module that needs the queue to
    hold only its own people). Yields (base URL, environment)."""
    redis_server = EmbeddedRedis(tmp_path_factory.mktemp("isolated-redis")).start()
    env = {
        **server_env,
        "FRISTAD_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "REDIS_URL": redis_server.url,
        "FRISTAD_DATA_DIR": str(tmp_path_factory.mktemp("isolated-data")),
    }
    try:
        with running_server(env) as base:
            yield base, env
    finally:
        redis_server.stop()
