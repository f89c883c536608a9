"""SMS through the real server (Rasa + actions + Redis) and a local fake Twilio."""
from __future__ import annotations

import pytest

from conftest import TEST_TWILIO_NUMBER, TEST_TWILIO_TOKEN
from fakes.harness import post_sms, sms_params
from bot.channels.sms_text import segments
from helpers import texts_in

pytestmark = pytest.mark.slow


def test_a_romanian_conversation_is_answered_in_romanian(fristad_server, server_env, fake_twilio) -> None:
    phone = "+40712345001"
    romanian = texts_in("ro")
    for text in ("Bună ziua, am nevoie de ajutor", "da", "mi-au luat pașaportul și nu mă lasă să plec"):
        before = len(fake_twilio.sent(phone))
        reply = post_sms(fristad_server, server_env["FRISTAD_PUBLIC_URL"], sms_params(phone, text, TEST_TWILIO_NUMBER), TEST_TWILIO_TOKEN)
        assert reply.status_code == 200
        parts = fake_twilio.sent(phone)[before:]
        assert parts, f"no reply to {text!r}"
        # A long reply may come in several SMS (cut between sentences or lines).
        whole = " ".join(" ".join(parts).split())
        assert romanian.begins(whole), parts
        assert all(segments(part) <= 3 for part in parts), parts


def test_forged_signature_is_refused_and_repeats_are_processed_once(fristad_server, server_env, fake_twilio) -> None:
    phone = "+40712345002"
    params = sms_params(phone, "salut", TEST_TWILIO_NUMBER)
    assert post_sms(fristad_server, server_env["FRISTAD_PUBLIC_URL"], params, TEST_TWILIO_TOKEN, signature="Zm9yZ2Vk").status_code == 403
    assert post_sms(fristad_server, server_env["FRISTAD_PUBLIC_URL"], params, TEST_TWILIO_TOKEN, signature=None).status_code == 403
    assert fake_twilio.sent(phone) == []
    for _ in range(3):
        assert post_sms(fristad_server, server_env["FRISTAD_PUBLIC_URL"], params, TEST_TWILIO_TOKEN).status_code == 200
    count = len(fake_twilio.sent(phone))
    assert count >= 1
    post_sms(fristad_server, server_env["FRISTAD_PUBLIC_URL"], params, TEST_TWILIO_TOKEN)
    assert len(fake_twilio.sent(phone)) == count


def test_stop_in_romanian_conversation_answers_in_romanian(fristad_server, server_env, fake_twilio) -> None:
    phone = "+40712345003"
    post_sms(fristad_server, server_env["FRISTAD_PUBLIC_URL"], sms_params(phone, "Bună, am nevoie de ajutor", TEST_TWILIO_NUMBER), TEST_TWILIO_TOKEN)
    post_sms(fristad_server, server_env["FRISTAD_PUBLIC_URL"], sms_params(phone, "STOP", TEST_TWILIO_NUMBER), TEST_TWILIO_TOKEN)
    from bot.nlg.catalog import get_catalog

    assert fake_twilio.sent(phone)[-1] == get_catalog().render("utter_sms_stop", "ro").text
