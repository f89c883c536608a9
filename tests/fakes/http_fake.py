"""A tiny threaded HTTP server on loopback that records what it was asked."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Tuple
from urllib.parse import parse_qsl

Handler = Callable[[str, str, Dict[str, str], bytes], Tuple[int, Any]]


class FakeHTTPServer:
    """Serves ``handle(method, path, headers, body) -> (status, json)`` on 127.0.0.1."""

    def __init__(self, handle: Handler) -> None:
        self.handle = handle
        self.calls: List[Dict[str, Any]] = []
        self.lock = threading.Lock()
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, payload = fake.handle(self.command, self.path, dict(self.headers), body)
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "FakeHTTPServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def record(self, call: Dict[str, Any]) -> None:
        with self.lock:
            self.calls.append(call)

    def clear(self) -> None:
        with self.lock:
            self.calls.clear()


def parse_body(headers: Dict[str, str], body: bytes) -> Dict[str, Any]:
    """JSON or form-encoded (python-telegram-bot sends JSON-encoded values in a form)."""
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if "json" in content_type:
        return json.loads(body or b"{}")
    fields: Dict[str, Any] = {}
    for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
        try:
            fields[key] = json.loads(value)
        except ValueError:
            fields[key] = value
    return fields
