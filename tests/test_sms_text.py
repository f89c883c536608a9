"""SMS encoding, segment counting and splitting at sentence boundaries."""
from __future__ import annotations

from bot.channels.sms_text import is_gsm7, segments, split_message, to_gsm_friendly, with_options
from bot.channels.sms import twilio_signature
from fakes.harness import twilio_signature as reference_signature


def test_segment_counting_gsm7_and_ucs2() -> None:
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2 and segments("a" * 306) == 2 and segments("a" * 307) == 3
    assert segments("ș" * 70) == 1 and segments("ș" * 71) == 2 and segments("ș" * 134) == 2
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2  # extension characters cost two


def test_typographic_characters_do_not_force_ucs2() -> None:
    text = "Hej \u201cdu\u201d \u2013 det \u00e4r ok\u2026"
    assert not is_gsm7(text)
    assert is_gsm7(to_gsm_friendly(text))
    assert split_message(text) == ['Hej "du" - det är ok...']


def test_long_text_splits_between_sentences_and_loses_nothing() -> None:
    sentences = [f"Aceasta este propoziția numărul {i}." for i in range(40)]
    text = " ".join(sentences)
    parts = split_message(text)
    assert len(parts) > 1
    assert all(segments(part) <= 3 for part in parts)
    assert all(part.endswith(".") for part in parts)  # every cut is at a sentence end
    assert " ".join(parts) == text


def test_a_sentence_without_end_is_cut_between_words() -> None:
    text = "cuvânt " * 200
    parts = split_message(text)
    assert all(segments(p) <= 3 for p in parts)
    assert " ".join(parts).split() == text.split()


def test_buttons_become_numbered_lines() -> None:
    assert with_options("Vrei?", [{"title": "Da", "payload": "/affirm"}, {"title": "Nu", "payload": "/deny"}]) == "Vrei?\n1) Da\n2) Nu"


def test_signature_matches_twilios_algorithm() -> None:
    url = "https://example.org/webhooks/sms/webhook"
    params = [("From", "+40712345678"), ("Body", "Bună"), ("MessageSid", "SM1"), ("To", "+46700000000")]
    assert twilio_signature("token", url, params) == reference_signature("token", url, params)
    # The example from twilio-python's own request-validator tests.
    example = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675309"), ("Digits", "1234"),
               ("From", "+14158675309"), ("To", "+18005551212")]
    assert twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", example) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_options_stay_whole_when_a_reply_is_split() -> None:
    titles = ["Mi-au luat pașaportul", "Loc sigur de dormit", "Ajutor medical", "Drepturile mele",
              "Probleme la muncă", "Mi-e frică de poliție", "Vorbesc cu o persoană"]
    text = with_options("Scuze, nu am înțeles. Poți scrie altfel, poți alege un subiect sau poți vorbi cu o persoană:",
                        [{"title": t, "payload": "/x"} for t in titles])
    parts = split_message(text)
    assert len(parts) == 2 and all(segments(p) <= 3 for p in parts)
    lines = "\n".join(parts).split("\n")
    assert lines[1:] == [f"{i}) {t}" for i, t in enumerate(titles, start=1)]
