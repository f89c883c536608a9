"""Hostile and malformed bodies to every webhook: never a 5xx, never a crash, and
nothing reaches Rasa without a valid secret, signature or token.

Runs against Fristad's channel app (the same blueprints Rasa mounts) over real HTTP.
Per webhook: 1,000 bodies without valid credentials and 1,000 hostile bodies with them.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import TEST_TELEGRAM_SECRET, TEST_TWILIO_TOKEN
from fakes.harness import twilio_signature

EXAMPLES = 1000
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
ascii_header = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=60)
hostile_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "\x00", "\u202e", "'; DROP TABLE x;--", "<script>alert(1)</script>", "{{7*7}}",
                     "/restart", "/session_start", "/choose_language{\"language\":\"../../etc\"}", "A" * 5000,
                     "\ud83d\ude00" * 50, "%s%s%n", "${jndi:ldap://x}"]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=15,
)
raw_bodies = st.one_of(st.binary(max_size=600), json_values.map(lambda v: json.dumps(v).encode()))


def processed_count(redis_client) -> int:
    return redis_client.llen("test:processed")


def assert_not_5xx(reply: httpx.Response) -> None:
    assert reply.status_code < 500, (reply.status_code, reply.text[:200])


@pytest.fixture
def http(channel_app):
    with httpx.Client(base_url=channel_app.base, timeout=30) as client:
        yield client


def alive(channel_app) -> None:
    assert channel_app.process.poll() is None, "the server crashed"
    assert httpx.get(channel_app.base + "/webhooks/rest/", timeout=10).status_code == 200


# --- Telegram ----------------------------------------------------------------------

def telegram_updates() -> st.SearchStrategy:
    message = st.fixed_dictionaries(
        {"message_id": st.one_of(st.integers(), json_values),
         "chat": st.one_of(st.fixed_dictionaries({"id": st.one_of(st.integers(-2**63, 2**63), json_values),
                                                   "type": st.sampled_from(["private", "group", "channel", "x"])}), json_values)},
        optional={"text": st.one_of(hostile_text, json_values), "from": json_values,
                  "photo": json_values, "voice": json_values, "sticker": json_values, "document": json_values,
                  "location": json_values, "entities": json_values},
    )
    return st.one_of(
        st.fixed_dictionaries({"update_id": st.one_of(st.integers(-2**63, 2**63), json_values)},
                              optional={"message": st.one_of(message, json_values), "edited_message": json_values,
                                        "callback_query": json_values}),
        json_values,
    ).map(lambda v: json.dumps(v).encode())


def test_fuzz_telegram(channel_app, redis_client, http) -> None:
    @FUZZ
    @given(body=raw_bodies, secret=st.one_of(st.none(), ascii_header.filter(lambda s: s != TEST_TELEGRAM_SECRET)))
    def without_secret(body: bytes, secret: Any) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        reply = http.post("/webhooks/telegram/webhook", content=body, headers=headers)
        assert reply.status_code == 403

    @FUZZ
    @given(body=st.one_of(telegram_updates(), raw_bodies))
    def with_secret(body: bytes) -> None:
        reply = http.post("/webhooks/telegram/webhook", content=body, headers={"X-Telegram-Bot-Api-Secret-Token": TEST_TELEGRAM_SECRET})
        assert_not_5xx(reply)

    without_secret()
    assert processed_count(redis_client) == 0
    assert not list(redis_client.scan_iter("fristad:*"))
    with_secret()
    alive(channel_app)


# --- SMS -------------------------------------------------------------------------------

form_params = st.lists(
    st.tuples(st.one_of(st.sampled_from(["MessageSid", "From", "To", "Body", "NumMedia", "AccountSid"]), st.text(max_size=12)),
              hostile_text.map(lambda s: s[:200])),
    max_size=8,
)


def test_fuzz_sms(channel_app, redis_client, http) -> None:
    url = channel_app.env["FRISTAD_PUBLIC_URL"] + "/webhooks/sms/webhook"

    @FUZZ
    @given(params=form_params, raw=st.one_of(st.none(), st.binary(max_size=400)), signature=st.one_of(st.none(), ascii_header))
    def unsigned(params: List[Tuple[str, str]], raw: Any, signature: Any) -> None:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        content = raw if raw is not None else httpx.QueryParams(params).__str__().encode()
        reply = http.post("/webhooks/sms/webhook", content=content, headers=headers)
        assert reply.status_code in (400, 403, 413)

    @FUZZ
    @given(params=form_params)
    def signed(params: List[Tuple[str, str]]) -> None:
        clean = [(k, v) for k, v in params if "\x00" not in k + v]
        body = str(httpx.QueryParams(clean)).encode()
        from urllib.parse import parse_qsl
        parsed = parse_qsl(body.decode(), keep_blank_values=True)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": twilio_signature(TEST_TWILIO_TOKEN, url, parsed)}
        reply = http.post("/webhooks/sms/webhook", content=body, headers=headers)
        assert_not_5xx(reply)

    unsigned()
    assert processed_count(redis_client) == 0
    assert not list(redis_client.scan_iter("fristad:*"))
    signed()
    alive(channel_app)


# --- REST --------------------------------------------------------------------------------

def test_fuzz_rest(channel_app, redis_client, http) -> None:
    rest_bodies = st.one_of(
        raw_bodies,
        st.fixed_dictionaries({"sender": json_values, "message": json_values}, optional={"message_id": json_values})
        .map(lambda v: json.dumps(v).encode()),
    )

    @settings(FUZZ, max_examples=2 * EXAMPLES)
    @given(body=rest_bodies)
    def hostile(body: bytes) -> None:
        assert_not_5xx(http.post("/webhooks/rest/webhook", content=body, headers={"Content-Type": "application/json"}))

    hostile()
    alive(channel_app)


# --- widget ------------------------------------------------------------------------------

def test_fuzz_widget(channel_app, redis_client, http) -> None:
    token = http.post("/chat/api/session").json()["token"]
    forged = st.one_of(json_values, ascii_header, st.just(token[:-2] + "AA"), st.just(token.split(".")[0] + ".x"))

    @FUZZ
    @given(body=st.one_of(raw_bodies, st.fixed_dictionaries({"token": forged, "text": hostile_text, "message_id": json_values}).map(lambda v: json.dumps(v).encode())))
    def without_token(body: bytes) -> None:
        reply = http.post("/chat/api/messages", content=body, headers={"Content-Type": "application/json"})
        assert reply.status_code in (400, 403, 413)

    @FUZZ
    @given(text=st.one_of(hostile_text, json_values), message_id=st.one_of(st.text(max_size=80), json_values), last=st.one_of(st.none(), ascii_header))
    def with_token(text: Any, message_id: Any, last: Any) -> None:
        reply = http.post("/chat/api/messages", json={"token": token, "text": text, "message_id": message_id})
        assert_not_5xx(reply)

    without_token()
    assert processed_count(redis_client) == 0
    with_token()
    for last in ("", "0", "abc", "99999999999999999999999-1", "1-1\r\nX: y"):
        headers = {"Authorization": f"Bearer {token}", "Last-Event-ID": last.replace("\r\n", " ")}
        with http.stream("GET", "/chat/api/events", headers=headers) as reply:
            assert reply.status_code == 200
    alive(channel_app)
