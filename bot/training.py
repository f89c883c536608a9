"""Train the model when it is missing or older than its data; run Rasa's story tests.

``python -m bot.training ensure`` and ``python -m bot.training test-stories``.
"""
from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterable, List, Optional

from bot.settings import PROJECT_ROOT, get_settings

logger = logging.getLogger(__name__)

MODEL_NAME = "fristad"
TRAINING_INPUTS = ("config.yml", "domain.yml", "nlu_data", "bot/nlu", "bot/language")


def model_path() -> Path:
    return get_settings().model_dir / f"{MODEL_NAME}.tar.gz"


def _files(paths: Iterable[str]) -> List[Path]:
    found: List[Path] = []
    for name in paths:
        path = PROJECT_ROOT / name
        if path.is_dir():
            found.extend(p for p in path.rglob("*") if p.is_file() and p.suffix in {".yml", ".yaml", ".py", ".json"})
        elif path.exists():
            found.append(path)
    return found


def model_is_stale(model: Optional[Path] = None) -> bool:
    """True when the model is missing or any training input is newer."""
    model = model or model_path()
    if not model.exists():
        return True
    built = model.stat().st_mtime
    return any(p.stat().st_mtime > built for p in _files(TRAINING_INPUTS))


def rasa_env(redis_url: Optional[str] = None) -> dict:
    """Environment for Rasa processes: the values endpoints.yml refers to."""
    settings = get_settings()
    env = dict(os.environ)
    env.setdefault("ACTION_PORT", str(settings.action_port))
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    return env


def rasa_command(*args: str) -> List[str]:
    return [sys.executable, "-m", "rasa", *args]


def train(force: bool = False, cache_directory: Optional[Path] = None) -> Path:
    """Train the model when it is stale (or ``force``). ``cache_directory`` replaces Rasa's
    cache of trained components (``.rasa/cache``): an empty one times a training from scratch."""
    model = model_path()
    if not force and not model_is_stale(model):
        print(f"model is up to date: {model.relative_to(PROJECT_ROOT)}")
        return model
    print("training the model (data or config changed)...", flush=True)
    model.parent.mkdir(parents=True, exist_ok=True)
    env = rasa_env()
    if cache_directory is not None:
        env["RASA_CACHE_DIRECTORY"] = str(cache_directory)
    subprocess.run(
        rasa_command(
            "train", "--data", "nlu_data", "--config", "config.yml", "--domain", "domain.yml",
            "--out", str(model.parent), "--fixed-model-name", MODEL_NAME,
        ),
        cwd=PROJECT_ROOT, env=env, check=True,
    )
    return model


def test_stories(stories: str = "tests/stories") -> int:
    """``rasa test core`` on our test stories; fails on any prediction error."""
    from bot.storage.embedded_redis import EmbeddedRedis

    model = train()
    with tempfile.TemporaryDirectory(prefix="fristad-test-redis-") as tmp:
        server = EmbeddedRedis(Path(tmp)).start()
        try:
            result = subprocess.run(
                rasa_command(
                    "test", "core", "--model", str(model), "--stories", stories,
                    "--endpoints", "endpoints.yml", "--fail-on-prediction-errors",
                    "--out", str(PROJECT_ROOT / "results"),
                ),
                cwd=PROJECT_ROOT, env=rasa_env(server.url),
            )
        finally:
            server.stop()
    return result.returncode


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.training")
    sub = parser.add_subparsers(dest="command", required=True)
    ensure = sub.add_parser("ensure", help="train when the model is missing or stale")
    ensure.add_argument("--force", action="store_true")
    sub.add_parser("test-stories", help="rasa test core on tests/stories")
    args = parser.parse_args(argv)
    if args.command == "ensure":
        train(force=args.force)
        return 0
    return test_stories()


if __name__ == "__main__":
    sys.exit(main())
