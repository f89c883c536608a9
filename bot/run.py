"""``make run``: the whole help line on one machine.

Trains when needed, starts an embedded Redis unless ``REDIS_URL`` is set, starts
the action server and ``rasa run``, says where it listens, and stops everything
cleanly on Ctrl-C.
"""
from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
import time
import urllib.request
from typing import List, Optional

from bot.settings import PROJECT_ROOT, get_settings
from bot.storage.embedded_redis import EmbeddedRedis
from bot.training import model_path, rasa_command, rasa_env, train

logger = logging.getLogger("fristad")


def wait_for_http(url: str, process: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=1) as reply:
                if reply.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    return False


def stop_all(processes: List[subprocess.Popen], timeout: float = 15.0) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.run")
    parser.add_argument("--shell", action="store_true", help="talk to the bot in this terminal (rasa shell)")
    parser.add_argument("--no-train", action="store_true", help="serve the existing model even if stale (tests)")
    args = parser.parse_args(argv)
    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    if args.no_train:
        if not model_path().exists():
            logger.error("no model at %s: run `make model` first", model_path())
            return 1
    else:
        train()
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    redis_server: Optional[EmbeddedRedis] = None
    redis_url = settings.redis_url
    if not redis_url:
        redis_server = EmbeddedRedis(settings.data_dir / "redis", port=settings.embedded_redis_port).start()
        redis_url = redis_server.url
    env = rasa_env(redis_url)

    processes: List[subprocess.Popen] = []
    try:
        actions = subprocess.Popen(
            [
                sys.executable, "-m", "bot.action_server", "--actions", "actions", "--port", str(settings.action_port),
                "--log-file", str(log_dir / "actions.log"),
            ],
            cwd=PROJECT_ROOT, env=env,
        )
        processes.append(actions)
        rasa_args = ["--model", str(model_path()), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]
        if args.shell:
            if not wait_for_http(f"http://127.0.0.1:{settings.action_port}/health", actions, 120):
                raise RuntimeError("the action server did not start")
            return subprocess.call(rasa_command("shell", *rasa_args), cwd=PROJECT_ROOT, env=env)
        server = subprocess.Popen(
            rasa_command(
                "run", *rasa_args, "--port", str(settings.port), "--interface", settings.host,
                "--log-file", str(log_dir / "rasa.log"),
            ),
            cwd=PROJECT_ROOT, env=env,
        )
        processes.append(server)
        base = f"http://127.0.0.1:{settings.port}"
        if not wait_for_http(f"{base}/webhooks/rest/", server, 300):
            raise RuntimeError("the Rasa server did not start; see the messages above")
        if not wait_for_http(f"http://127.0.0.1:{settings.action_port}/health", actions, 60):
            raise RuntimeError("the action server did not start; see the messages above")
        print(
            f"\nFristad is listening on http://localhost:{settings.port}\n"
            f"  REST channel:  POST http://localhost:{settings.port}/webhooks/rest/webhook\n"
            f"  web widget:    http://localhost:{settings.port}/chat\n"
            f"  console:       http://localhost:{settings.port}/console\n"
            f"  actions:       http://localhost:{settings.action_port}/webhook\n"
            f"  Redis:         {'embedded, data in ' + str(redis_server.data_dir) if redis_server else 'REDIS_URL'}\n"
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        failed = [p for p in processes if p.poll() is not None]
        logger.error("a process stopped unexpectedly (exit %s); stopping the rest", failed[0].returncode)
        return 1
    except KeyboardInterrupt:
        print("\nstopping Fristad...", flush=True)
        return 0
    except RuntimeError as problem:
        logger.error("%s", problem)
        return 1
    finally:
        stop_all(processes)
        if redis_server:
            redis_server.stop()


if __name__ == "__main__":
    sys.exit(main())
