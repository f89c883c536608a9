"""A local Twilio REST API: ``POST /2010-04-01/Accounts/<sid>/Messages.json`` with basic auth."""
from __future__ import annotations

import base64
import itertools
from typing import Any, Dict, List, Tuple

from urllib.parse import parse_qsl

from .http_fake import FakeHTTPServer


class FakeTwilio(FakeHTTPServer):
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._ids = itertools.count(1)
        super().__init__(self._handle)

    def _handle(self, method: str, path: str, headers: Dict[str, str], body: bytes) -> Tuple[int, Any]:
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if auth != expected:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        if method != "POST" or path != f"/2010-04-01/Accounts/{self.account_sid}/Messages.json":
            return 404, {"code": 20404, "message": "Not found", "status": 404}
        fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        self.record(fields)
        return 201, {"sid": f"SM{next(self._ids):032d}", "status": "queued", "to": fields.get("To"), "body": fields.get("Body")}

    def sent(self, phone: str) -> List[str]:
        with self.lock:
            return [c["Body"] for c in self.calls if c.get("To") == phone]
