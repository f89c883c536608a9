"""The log redactor (spaCy Matcher) and AES-GCM sealing of addresses."""
from __future__ import annotations

import io
import logging

import pytest

from bot.privacy.redactor import install_log_redaction, redact
from bot.privacy.sealing import SealError, seal, unseal


@pytest.mark.parametrize(
    "text, secret, label",
    [
        ("ring mig på +46 70-123 45 67 i kväll", "+46 70-123 45 67", "[phone]"),
        ("mitt nummer 070-123 45 67", "070-123 45 67", "[phone]"),
        ("0701234567", "0701234567", "[phone]"),
        ("call 0046 70 123 45 67 now", "0046 70 123 45 67", "[phone]"),
        ("UK +44 20 7946 0958.", "+44 20 7946 0958", "[phone]"),
        ("from:+46701234567,", "+46701234567", "[phone]"),
        ("write to ana.popescu@example.ro please", "ana.popescu@example.ro", "[email]"),
        ("pnr 19900101-1239 ok", "19900101-1239", "[personnummer]"),
        ("pnr 811218-9876 ok", "811218-9876", "[personnummer]"),
        ("IBAN SE45 5000 0000 0583 9825 7466 OK", "SE45 5000 0000 0583 9825 7466", "[iban]"),
        ("iban GB82WEST12345698765432", "GB82WEST12345698765432", "[iban]"),
        ("pass nr AB1234567", "AB1234567", "[passport]"),
        ("chat 123456789 sent", "123456789", "[phone]"),
    ],
)
def test_personal_data_is_redacted(text: str, secret: str, label: str) -> None:
    result = redact(text)
    assert secret not in result
    assert label in result
    digits = "".join(ch for ch in secret if ch.isdigit())
    assert not digits or digits not in "".join(ch for ch in result if ch.isdigit())


@pytest.mark.parametrize(
    "text",
    [
        "took 12 ms at 127.0.0.1:5005, 3 keys",
        "conversation erased (14 keys)",
        "Starting worker [11045]",
        "HTTP 403 on /webhooks/telegram/webhook",
        "version 3.6.21",
    ],
)
def test_ordinary_lines_survive(text: str) -> None:
    assert redact(text) == text


def test_pseudonyms_are_shortened() -> None:
    line = "queued telegram-0123456789abcdef0123456789abcdef01234567 (urgent)"
    assert redact(line) == "queued telegram-012345… (urgent)"


def test_filter_redacts_lines_of_every_logger_through_root_handlers() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        install_log_redaction()
        logging.getLogger("rasa.core.some_module").warning("user %s wrote from %s", "x@example.com", "+46 70 123 45 67")
        logging.getLogger("sanic.root").error("chat_id=%d", 987654321)
    finally:
        root.removeHandler(handler)
    output = stream.getvalue()
    assert "x@example.com" not in output and "70 123 45 67" not in output and "987654321" not in output
    assert "[email]" in output and "[phone]" in output


def test_seal_round_trip_and_binding() -> None:
    sealed = seal("+46701234567", "sms-abc")
    assert "46701234567" not in sealed
    assert unseal(sealed, "sms-abc") == "+46701234567"
    assert seal("+46701234567", "sms-abc") != sealed  # fresh nonce each time
    with pytest.raises(SealError):
        unseal(sealed, "sms-other")  # bound to its conversation
    with pytest.raises(SealError):
        unseal(sealed[:-4] + "AAAA", "sms-abc")
    with pytest.raises(SealError):
        unseal("garbage", "sms-abc")
