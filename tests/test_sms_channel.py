"""The SMS channel against a local fake Twilio, in Fristad's channel app (no model).

The Romanian conversation through the real Rasa server is in test_sms_e2e.py.
"""
from __future__ import annotations

import hashlib
import itertools
import json
from typing import List, Optional, Tuple

import httpx
import pytest
import redis

from bot.nlg.catalog import get_catalog
from conftest import TEST_TWILIO_NUMBER, TEST_TWILIO_TOKEN
from fakes.harness import pseudonym, twilio_signature

WEBHOOK = "/webhooks/sms/webhook"
_sids = itertools.count(1)


def sms(phone: str, body: str, sid: Optional[str] = None) -> List[Tuple[str, str]]:
    return [
        ("MessageSid", sid or f"SM{next(_sids):032x}"), ("AccountSid", "AC" + "0" * 32),
        ("From", phone), ("To", TEST_TWILIO_NUMBER), ("Body", body), ("NumMedia", "0"),
    ]


def post(app, params: List[Tuple[str, str]], signature: Optional[str] = "auto") -> httpx.Response:
    url = app.base + WEBHOOK
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature == "auto":
        signature = twilio_signature(TEST_TWILIO_TOKEN, app.env["FRISTAD_PUBLIC_URL"] + WEBHOOK, params)
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    return httpx.post(url, data=dict(params), headers=headers, timeout=30)


def processed(client: redis.Redis) -> list:
    return [json.loads(item) for item in client.lrange("test:processed", 0, -1)]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_sms_reaches_rasa_and_the_reply_goes_out_through_the_rest_api(channel_app, redis_client, fake_twilio) -> None:
    phone = "+40712000001"
    reply = post(channel_app, sms(phone, "Bună, am nevoie de ajutor"))
    assert reply.status_code == 200 and "<Response>" in reply.text
    seen = processed(redis_client)
    assert len(seen) == 1 and seen[0]["text_sha"] == sha("Bună, am nevoie de ajutor")
    assert phone not in seen[0]["sender"] and phone[1:] not in seen[0]["sender"]
    offer = get_catalog().render("utter_human_offer", "en").text
    assert fake_twilio.sent(phone) == [f"{offer}\n1) A\n2) B"]


def test_a_number_reply_maps_back_to_the_button_payload(channel_app, redis_client) -> None:
    phone = "+40712000002"
    post(channel_app, sms(phone, "salut"))
    post(channel_app, sms(phone, " 2 "))
    assert processed(redis_client)[-1]["text_sha"] == sha("/deny")
    post(channel_app, sms(phone, "9"))  # no such option: free text
    assert processed(redis_client)[-1]["text_sha"] == sha("9")


@pytest.mark.parametrize("signature", [None, "", "AAAA", "forged+signature/=="])
def test_missing_or_forged_signature_is_refused_and_not_processed(channel_app, redis_client, fake_twilio, signature) -> None:
    phone = "+40712000003"
    reply = post(channel_app, sms(phone, "hello"), signature=signature)
    assert reply.status_code == 403
    assert processed(redis_client) == [] and fake_twilio.sent(phone) == []
    assert not list(redis_client.scan_iter("fristad:*"))


def test_a_signature_for_other_parameters_is_refused(channel_app, redis_client) -> None:
    params = sms("+40712000004", "hello")
    good = twilio_signature(TEST_TWILIO_TOKEN, channel_app.env["FRISTAD_PUBLIC_URL"] + WEBHOOK, params)
    tampered = [(k, "+40799999999" if k == "From" else v) for k, v in params]
    assert post(channel_app, tampered, signature=good).status_code == 403
    wrong_url = twilio_signature(TEST_TWILIO_TOKEN, "http://evil.example" + WEBHOOK, params)
    assert post(channel_app, params, signature=wrong_url).status_code == 403
    assert processed(redis_client) == []


def test_a_repeated_message_sid_is_processed_once(channel_app, redis_client, fake_twilio) -> None:
    phone = "+40712000005"
    params = sms(phone, "ajutor", sid="SM" + "5" * 32)
    for _ in range(3):
        assert post(channel_app, params).status_code == 200
    assert len(processed(redis_client)) == 1
    assert len(fake_twilio.sent(phone)) == 1


def test_stop_and_help_are_answered_without_rasa(channel_app, redis_client, fake_twilio) -> None:
    phone = "+40712000006"
    catalog = get_catalog()
    post(channel_app, sms(phone, "HELP"))
    assert fake_twilio.sent(phone)[-1] == catalog.render("utter_sms_help", "en").text
    post(channel_app, sms(phone, "Stop"))
    assert fake_twilio.sent(phone)[-1] == catalog.render("utter_sms_stop", "en").text
    assert processed(redis_client) == []


def offer_options(client: redis.Redis, phone: str, buttons: list) -> None:
    """What the channel remembers after a reply with buttons (the test keys' pseudonym)."""
    from conftest import TEST_PSEUDONYM_KEY

    client.set(f"fristad:conv:{pseudonym(TEST_PSEUDONYM_KEY, 'sms', phone)}:options", json.dumps(buttons))


def test_cancel_is_the_offered_cancel_button_not_stop(channel_app, redis_client, fake_twilio) -> None:
    phone = "+40712000009"
    stop_text = get_catalog().render("utter_sms_stop", "en").text
    offer_options(redis_client, phone, [{"title": "Cancel", "payload": "/cancel_human"}])
    post(channel_app, sms(phone, "cancel"))
    assert processed(redis_client)[-1]["text_sha"] == sha("/cancel_human")
    assert stop_text not in fake_twilio.sent(phone)
    # Without such a button, "cancel" is still a stop word; and STOP always is.
    offer_options(redis_client, phone, [{"title": "A", "payload": "/affirm"}])
    post(channel_app, sms(phone, "Cancel"))
    assert fake_twilio.sent(phone)[-1] == stop_text
    offer_options(redis_client, phone, [{"title": "Cancel", "payload": "/cancel_human"}])
    post(channel_app, sms(phone, "STOP"))
    assert fake_twilio.sent(phone)[-1] == stop_text
    assert len(processed(redis_client)) == 1


async def test_after_stop_nothing_is_sent_and_counsellor_replies_reach_others(channel_app, redis_client, fake_twilio, monkeypatch) -> None:
    from bot.channels import outbound, sms as sms_channel
    from bot.privacy.pseudonym import pseudonymous_id
    from bot.settings import get_settings

    talking, stopped = "+40712000007", "+40712000008"
    post(channel_app, sms(talking, "salut"))
    post(channel_app, sms(stopped, "STOP"))
    for key, value in channel_app.env.items():
        if key.startswith(("TWILIO_", "FRISTAD_", "REDIS_")):
            monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        outbound.register("sms", sms_channel.send_outbound)
        before = len(fake_twilio.sent(stopped))
        await outbound.send_to_person("sms", pseudonymous_id("sms", talking), "Bună, sunt Ana, consilier.")
        await outbound.send_to_person("sms", pseudonymous_id("sms", stopped), "Bună?")
        assert fake_twilio.sent(talking)[-1] == "Bună, sunt Ana, consilier."
        assert len(fake_twilio.sent(stopped)) == before
    finally:
        await sms_channel.http_client().aclose()
        get_settings.cache_clear()


def test_a_long_reply_is_split_between_sentences(channel_app, redis_client, fake_twilio, monkeypatch) -> None:
    """Long texts (here a long counsellor-style message) are cut at sentence ends."""
    from bot.channels.sms_text import segments, split_message

    text = " ".join(f"Propoziția {i} este aici." for i in range(60))
    parts = split_message(text)
    assert len(parts) >= 3 and all(segments(p) <= 3 for p in parts)


def test_phone_number_is_kept_only_sealed(channel_app, redis_client) -> None:
    phone = "+40712000009"
    post(channel_app, sms(phone, "salut"))
    for key in redis_client.scan_iter("*"):
        assert phone[1:] not in key
        value = redis_client.dump(key) or b""
        assert phone[1:].encode() not in value


def test_malformed_bodies_get_4xx(channel_app) -> None:
    url = channel_app.base + WEBHOOK
    assert httpx.post(url, content=b"\xff\xfe\x00", timeout=10).status_code in (400, 403)
    assert httpx.post(url, content=b"a" * 100_000, timeout=10).status_code == 413
    params = [("Body", "x")]
    signature = twilio_signature(TEST_TWILIO_TOKEN, channel_app.env["FRISTAD_PUBLIC_URL"] + WEBHOOK, params)
    assert post(channel_app, params, signature=signature).status_code == 400
