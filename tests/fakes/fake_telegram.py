"""A local Telegram Bot API: ``/bot<token>/<method>``, enough for Fristad.

Records every call; ``sent(chat_id)`` gives the texts sent to a chat.
"""
from __future__ import annotations

import itertools
import time
from typing import Any, Dict, List, Tuple

from .http_fake import FakeHTTPServer, parse_body


class FakeTelegram(FakeHTTPServer):
    def __init__(self, token: str) -> None:
        self.token = token
        self._ids = itertools.count(1000)
        super().__init__(self._handle)

    def _handle(self, method: str, path: str, headers: Dict[str, str], body: bytes) -> Tuple[int, Any]:
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        api_method = path[len(prefix):].split("?")[0]
        params = parse_body(headers, body)
        self.record({"method": api_method, "params": params})
        if api_method == "getMe":
            return 200, {"ok": True, "result": {
                "id": 4242, "is_bot": True, "first_name": "Fristad", "username": "fristad_test_bot",
                "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False,
            }}
        if api_method == "sendMessage":
            return 200, {"ok": True, "result": {
                "message_id": next(self._ids), "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"}, "text": params.get("text", ""),
            }}
        if api_method in ("deleteMessage", "setWebhook", "deleteWebhook", "sendChatAction"):
            return 200, {"ok": True, "result": True}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def sent(self, chat_id: int) -> List[Dict[str, Any]]:
        with self.lock:
            return [c["params"] for c in self.calls if c["method"] == "sendMessage" and int(c["params"]["chat_id"]) == chat_id]
