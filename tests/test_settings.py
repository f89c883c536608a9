from __future__ import annotations

import pytest

from bot.settings import Settings


def test_defaults_and_overrides() -> None:
    settings = Settings.from_env({"FRISTAD_PORT": "6001", "ACTION_PORT": "6002", "FRISTAD_RETENTION_HOURS": "48"})
    assert (settings.port, settings.action_port, settings.retention_seconds) == (6001, 6002, 48 * 3600)
    assert Settings.from_env({}).port == 5005
    assert Settings.from_env({}).action_port == 5055


def test_bad_number_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="FRISTAD_PORT"):
        Settings.from_env({"FRISTAD_PORT": "five"})


def test_secrets_are_not_in_repr() -> None:
    settings = Settings.from_env({"TELEGRAM_TOKEN": "123456:secret-token", "FRISTAD_PSEUDONYM_KEY": "k3y"})
    assert "secret-token" not in repr(settings) and "k3y" not in repr(settings)


def test_without_redis_url_the_embedded_redis_is_used() -> None:
    assert Settings.from_env({}).require_redis_url() == "redis://127.0.0.1:6380/0"
    assert Settings.from_env({"FRISTAD_REDIS_PORT": "7001"}).require_redis_url() == "redis://127.0.0.1:7001/0"
    assert Settings.from_env({"REDIS_URL": "redis://db:6379/2"}).require_redis_url() == "redis://db:6379/2"
