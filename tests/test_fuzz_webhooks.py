"""Hostile and malformed bodies to every webhook: never a 5xx, never a crash, and
nothing reaches Rasa without a valid secret, signature or token.

Runs against Fristad's channel app (the same blueprints Rasa mounts) over real HTTP.
Per webhook: 1,000 bodies without valid credentials and 1,000 hostile bodies with them.
Hypothesis generates the bodies; they are then sent by 8 threads at once (also a
small test of concurrent handling), and every answer is checked.
"""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, List, Tuple

from urllib.parse import parse_qsl

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
                     "\U0001F600" * 50, "%s%s%n", "${jndi:ldap://x}"]),
)
_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | hostile_text
# Nested one level (lists and objects of scalars, and objects of those): deep enough to
# hit every type check, and much cheaper to draw than st.recursive.
_flat = _scalars | st.lists(_scalars, max_size=4) | st.dictionaries(st.text(max_size=8), _scalars, max_size=4)
json_values = _flat | st.dictionaries(st.text(max_size=8), _flat, max_size=3) | st.lists(_flat, max_size=3)
raw_bodies = st.one_of(st.binary(max_size=600), json_values.map(lambda v: json.dumps(v).encode()))


BATCH = 8


def generate(strategy: st.SearchStrategy, count: int = EXAMPLES) -> List[Any]:
    """At least ``count`` examples of ``strategy`` drawn by Hypothesis (no I/O while drawing).

    Each Hypothesis example is a batch of BATCH bodies: Hypothesis costs a few
    milliseconds per example on this machine, and the budget is two minutes.
    """
    drawn: List[Any] = []

    @settings(FUZZ, max_examples=-(-count // BATCH))
    @given(st.lists(strategy, min_size=BATCH, max_size=BATCH))
    def collect(batch: List[Any]) -> None:
        drawn.extend(batch)

    collect()
    assert len(drawn) >= count, len(drawn)
    return drawn


def send_all(examples: List[Any], send: Callable[[Any], httpx.Response]) -> List[Tuple[Any, int, str]]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(send, examples))
    return [(example, reply.status_code, reply.text[:200]) for example, reply in zip(examples, replies)]


def check(results: List[Tuple[Any, int, str]], allowed: Callable[[int], bool]) -> None:
    bad = [(repr(example)[:300], status, text) for example, status, text in results if not allowed(status)]
    assert not bad, bad[:5]


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
    path = "/webhooks/telegram/webhook"
    unsigned = generate(st.tuples(raw_bodies, st.one_of(st.none(), ascii_header.filter(lambda s: s != TEST_TELEGRAM_SECRET))))

    def send_unsigned(example: Tuple[bytes, Any]) -> httpx.Response:
        body, secret = example
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return http.post(path, content=body, headers=headers)

    check(send_all(unsigned, send_unsigned), lambda status: status == 403)
    assert processed_count(redis_client) == 0
    assert not list(redis_client.scan_iter("fristad:*"))

    signed = generate(st.one_of(telegram_updates(), raw_bodies))
    headers = {"X-Telegram-Bot-Api-Secret-Token": TEST_TELEGRAM_SECRET}
    check(send_all(signed, lambda body: http.post(path, content=body, headers=headers)), lambda status: status < 500)
    alive(channel_app)


# --- SMS -------------------------------------------------------------------------------

form_params = st.lists(
    st.tuples(st.one_of(st.sampled_from(["MessageSid", "From", "To", "Body", "NumMedia", "AccountSid"]), st.text(max_size=12)),
              hostile_text.map(lambda s: s[:200])),
    max_size=8,
)


def test_fuzz_sms(channel_app, redis_client, http) -> None:
    path = "/webhooks/sms/webhook"
    url = channel_app.env["FRISTAD_PUBLIC_URL"] + path
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    unsigned = generate(st.tuples(form_params, st.one_of(st.none(), st.binary(max_size=400)), st.one_of(st.none(), ascii_header)))

    def send_unsigned(example: Tuple[List[Tuple[str, str]], Any, Any]) -> httpx.Response:
        params, raw, signature = example
        headers = dict(form)
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        content = raw if raw is not None else str(httpx.QueryParams(params)).encode()
        return http.post(path, content=content, headers=headers)

    check(send_all(unsigned, send_unsigned), lambda status: status in (400, 403, 413))
    assert processed_count(redis_client) == 0
    assert not list(redis_client.scan_iter("fristad:*"))

    def send_signed(params: List[Tuple[str, str]]) -> httpx.Response:
        body = str(httpx.QueryParams(params)).encode()
        signed_params = parse_qsl(body.decode(), keep_blank_values=True)
        headers = dict(form, **{"X-Twilio-Signature": twilio_signature(TEST_TWILIO_TOKEN, url, signed_params)})
        return http.post(path, content=body, headers=headers)

    check(send_all(generate(form_params), send_signed), lambda status: status < 500)
    alive(channel_app)


# --- REST --------------------------------------------------------------------------------

def test_fuzz_rest(channel_app, redis_client, http) -> None:
    rest_bodies = st.one_of(
        raw_bodies,
        st.fixed_dictionaries({"sender": json_values, "message": json_values}, optional={"message_id": json_values})
        .map(lambda v: json.dumps(v).encode()),
    )
    headers = {"Content-Type": "application/json"}
    bodies = generate(rest_bodies, 2 * EXAMPLES)
    check(send_all(bodies, lambda body: http.post("/webhooks/rest/webhook", content=body, headers=headers)), lambda status: status < 500)
    alive(channel_app)


# --- widget ------------------------------------------------------------------------------

def test_fuzz_widget(channel_app, redis_client, http) -> None:
    token = http.post("/chat/api/session").json()["token"]
    forged = st.one_of(json_values, ascii_header, st.just(token[:-2] + "AA"), st.just(token.split(".")[0] + ".x"))
    headers = {"Content-Type": "application/json"}
    unsigned = generate(st.one_of(
        raw_bodies,
        st.fixed_dictionaries({"token": forged, "text": hostile_text, "message_id": json_values}).map(lambda v: json.dumps(v).encode()),
    ))
    check(send_all(unsigned, lambda body: http.post("/chat/api/messages", content=body, headers=headers)),
          lambda status: status in (400, 403, 413))
    assert processed_count(redis_client) == 0

    hostile = generate(st.fixed_dictionaries({"token": st.just(token), "text": st.one_of(hostile_text, json_values),
                                              "message_id": st.one_of(st.text(max_size=80), json_values)}))
    check(send_all(hostile, lambda body: http.post("/chat/api/messages", json=body)), lambda status: status < 500)
    for last in ("", "0", "abc", "99999999999999999999999-1", "1-1 X: y"):
        with http.stream("GET", "/chat/api/events", headers={"Authorization": f"Bearer {token}", "Last-Event-ID": last}) as reply:
            assert reply.status_code == 200
    alive(channel_app)
