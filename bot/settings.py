"""Every setting Fristad reads from the environment, in one place.

Operators configure Fristad with environment variables only; nothing else in the
code reads ``os.environ``. Settings are read when first asked for, never at import.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from error


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a number, got {raw!r}") from error


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    raw = env.get(name, "").strip()
    return Path(raw).expanduser().resolve() if raw else default


@dataclass(frozen=True)
class Settings:
    """Typed view of the environment. Defaults suit a first local run."""

    port: int = 5005
    action_port: int = 5055
    host: str = "0.0.0.0"
    redis_url: Optional[str] = None
    embedded_redis_port: int = 6380
    data_dir: Path = PROJECT_ROOT / "var"
    model_dir: Path = PROJECT_ROOT / "models"
    translations_dir: Path = PROJECT_ROOT / "translations"
    resources_file: Path = PROJECT_ROOT / "resources.yml"
    retention_seconds: int = 30 * 24 * 3600
    default_language: str = "en"
    log_level: str = "INFO"
    # Keys for pseudonyms and encrypted addresses (issue: channels). Never logged.
    pseudonym_key: str = field(default="", repr=False)
    address_key: str = field(default="", repr=False)
    # Channels.
    telegram_token: str = field(default="", repr=False)
    telegram_secret_token: str = field(default="", repr=False)
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_delete_after_hours: float = 0.0
    twilio_account_sid: str = field(default="", repr=False)
    twilio_auth_token: str = field(default="", repr=False)
    twilio_number: str = field(default="", repr=False)
    twilio_api_base_url: str = "https://api.twilio.com"
    public_url: str = ""
    # Handoff and console.
    lease_seconds: int = 45
    console_session_hours: float = 12.0
    neutral_exit_url: str = "https://www.google.com/search?q=weather"
    # The widget's limits (0 turns one off). A client address may be a shelter's Wi-Fi or a
    # mobile operator's shared address, so its limits are far above one person's.
    widget_messages_per_minute: int = 30
    widget_address_messages_per_minute: int = 300
    widget_sessions_per_hour: int = 300

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        """Build settings from ``env`` (default: the process environment)."""
        env = os.environ if env is None else env
        defaults = cls()
        return cls(
            port=_int(env, "FRISTAD_PORT", defaults.port),
            action_port=_int(env, "ACTION_PORT", defaults.action_port),
            host=env.get("FRISTAD_HOST", defaults.host),
            redis_url=env.get("REDIS_URL") or None,
            embedded_redis_port=_int(env, "FRISTAD_REDIS_PORT", defaults.embedded_redis_port),
            data_dir=_path(env, "FRISTAD_DATA_DIR", defaults.data_dir),
            model_dir=_path(env, "FRISTAD_MODEL_DIR", defaults.model_dir),
            translations_dir=_path(env, "FRISTAD_TRANSLATIONS_DIR", defaults.translations_dir),
            resources_file=_path(env, "FRISTAD_RESOURCES_FILE", defaults.resources_file),
            retention_seconds=int(_float(env, "FRISTAD_RETENTION_HOURS", defaults.retention_seconds / 3600) * 3600),
            default_language=env.get("FRISTAD_DEFAULT_LANGUAGE", defaults.default_language),
            log_level=env.get("FRISTAD_LOG_LEVEL", defaults.log_level).upper(),
            pseudonym_key=env.get("FRISTAD_PSEUDONYM_KEY", ""),
            address_key=env.get("FRISTAD_ADDRESS_KEY", ""),
            telegram_token=env.get("TELEGRAM_TOKEN", ""),
            telegram_secret_token=env.get("TELEGRAM_SECRET_TOKEN", ""),
            telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL", defaults.telegram_api_base_url).rstrip("/"),
            telegram_delete_after_hours=_float(env, "TELEGRAM_DELETE_AFTER_HOURS", 0.0),
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
            twilio_number=env.get("TWILIO_NUMBER", ""),
            twilio_api_base_url=env.get("TWILIO_API_BASE_URL", defaults.twilio_api_base_url).rstrip("/"),
            public_url=env.get("FRISTAD_PUBLIC_URL", "").rstrip("/"),
            lease_seconds=_int(env, "FRISTAD_LEASE_SECONDS", defaults.lease_seconds),
            console_session_hours=_float(env, "FRISTAD_CONSOLE_SESSION_HOURS", defaults.console_session_hours),
            neutral_exit_url=env.get("FRISTAD_NEUTRAL_EXIT_URL", defaults.neutral_exit_url),
            widget_messages_per_minute=_int(env, "FRISTAD_WIDGET_MESSAGES_PER_MINUTE", defaults.widget_messages_per_minute),
            widget_address_messages_per_minute=_int(
                env, "FRISTAD_WIDGET_ADDRESS_MESSAGES_PER_MINUTE", defaults.widget_address_messages_per_minute
            ),
            widget_sessions_per_hour=_int(env, "FRISTAD_WIDGET_SESSIONS_PER_HOUR", defaults.widget_sessions_per_hour),
        )

    @property
    def embedded_redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.embedded_redis_port}/0"

    def require_redis_url(self) -> str:
        """``REDIS_URL``, else the embedded Redis that ``make run`` starts (so the
        command-line tools reach it too). The launcher sets REDIS_URL for its children."""
        return self.redis_url or self.embedded_redis_url


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings.from_env()
