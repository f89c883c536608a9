"""Start ``tests/fakes/channel_app.py`` (Fristad's channels without Rasa) for tests."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, Iterable, Tuple

from bot.settings import PROJECT_ROOT


class RunningApp:
    def __init__(self, process: subprocess.Popen, base: str, env: Dict[str, str], log_dir: Path) -> None:
        self.process, self.base, self.env, self.log_dir = process, base, env, log_dir


def start_channel_app(env: Dict[str, str], port: int, log_dir: Path, timeout: float = 120) -> RunningApp:
    log_dir.mkdir(parents=True, exist_ok=True)
    output = open(log_dir / "channel-app.log", "ab")
    process = subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "tests" / "fakes" / "channel_app.py"), str(port)],
        cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/webhooks/rest/", timeout=1):
                return RunningApp(process, base, env, log_dir)
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("channel app did not start:\n" + (log_dir / "channel-app.log").read_text(errors="replace")[-3000:])


def stop_channel_app(app: RunningApp) -> None:
    import signal

    try:
        os.killpg(app.process.pid, signal.SIGINT)
        app.process.wait(15)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        app.process.kill()


def pseudonym(key: str, channel: str, address: str) -> str:
    """The sender id Fristad gives ``address`` on ``channel`` under ``key`` (written
    independently of bot.privacy.pseudonym, to check it)."""
    return f"{channel}-{hmac.new(key.encode(), f'{channel}:{address}'.encode(), hashlib.sha256).hexdigest()[:40]}"


def twilio_signature(token: str, url: str, params: Iterable[Tuple[str, str]]) -> str:
    """How Twilio signs (written independently of bot.channels.sms, to check it)."""
    data = url + "".join(k + v for k, v in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


# --- building what Telegram and Twilio would send ----------------------------------------

import itertools as _itertools
import json as _json

_ids = _itertools.count(int(time.time()) % 1_000_000 * 1000)


def telegram_update(chat_id: int, text=None, language: str = "", **extra) -> dict:
    message = {
        "message_id": next(_ids), "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "A"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "A", **({"language_code": language} if language else {})},
    }
    if text is not None:
        message["text"] = text
    message.update(extra)
    return {"update_id": next(_ids), "message": message}


def post_telegram(base: str, body: dict, secret: str, timeout: float = 120):
    import httpx

    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return httpx.post(base + "/webhooks/telegram/webhook", content=_json.dumps(body), headers=headers, timeout=timeout)


def sms_params(phone: str, body: str, to: str, sid: str = None) -> list:
    return [("MessageSid", sid or f"SM{next(_ids):032x}"), ("AccountSid", "AC" + "0" * 32),
            ("From", phone), ("To", to), ("Body", body), ("NumMedia", "0")]


def post_sms(base: str, public_url: str, params: list, token: str, signature: str = "auto", timeout: float = 120):
    import httpx

    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature == "auto":
        signature = twilio_signature(token, public_url + "/webhooks/sms/webhook", params)
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    return httpx.post(base + "/webhooks/sms/webhook", data=dict(params), headers=headers, timeout=timeout)


def sms_text(part: str) -> str:
    """The message text of an SMS without the numbered options appended to it."""
    return part.split("\n1) ")[0]
