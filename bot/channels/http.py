"""Small helpers for webhooks: parse JSON bodies without ever raising a 500."""
from __future__ import annotations

import json
from typing import Any, Optional, Tuple

from sanic.request import Request
from sanic.response import HTTPResponse, json as json_response

MAX_BODY_BYTES = 64 * 1024


def json_body(request: Request) -> Tuple[Optional[Any], Optional[HTTPResponse]]:
    """(parsed body, None) or (None, a 4xx response saying what is wrong)."""
    raw = request.body or b""
    if len(raw) > MAX_BODY_BYTES:
        return None, error(413, "body_too_large", "The message is too long.")
    try:
        return json.loads(raw.decode("utf-8")), None
    except (UnicodeDecodeError, ValueError):
        return None, error(400, "invalid_json", "The request body must be JSON.")


def error(status: int, code: str, message: str) -> HTTPResponse:
    return json_response({"error": code, "message": message}, status=status)
