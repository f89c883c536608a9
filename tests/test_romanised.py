"""Romanised text is put back in its own script for the sentence encoder, and only that."""
from __future__ import annotations

import pytest

from bot.nlu.romanised import LANGUAGES, is_romanised, to_native_script
from bot.nlu.sentence_encoder import encoder_text


@pytest.mark.parametrize("text, language, expected", [
    # Arabizi: digits are letters, short vowels inside a word are not written.
    ("ana m7tajeh", "ar", "انا محتجه"),
    ("3am", "ar", "عم"),
    ("mazboot", "ar", "مزبوت"),
    # Finglish: Persian letters Arabic lacks.
    ("pesaram", "fa", "پسرم"),
    ("komak mikham", "fa", "کمک میخم"),
    # Ge'ez: consonant and vowel make one syllable; Tigrinya writes a first "a" as ኣ.
    ("selam", "am", "ሰላም"),
    ("ab", "ti", "ኣብ"),
    ("ab", "am", "አብ"),
    ("kwankwa", "am", "ኳንኳ"),
    # Translit.
    ("moy pasport", "ru", "мой паспорт"),
    ("pomoshch", "ru", "помощ"),
    ("meni", "uk", "мені"),
    ("trjabva", "bg", "трябва"),
])
def test_words_are_written_in_the_language_script(text: str, language: str, expected: str) -> None:
    assert to_native_script(text, language) == expected


def test_digits_and_punctuation_between_words_are_kept() -> None:
    assert to_native_script("ana 15 sana!", "ar") == "انا 15 سنا!"


def test_other_languages_are_left_as_written() -> None:
    assert to_native_script("hello there", "en") == "hello there"
    assert "sv" not in LANGUAGES


@pytest.mark.parametrize("text, expected", [
    ("ana khayef", True),
    ("أنا خايف", False),
    ("främlingspass ዬን ይዞታል", False),  # one Latin word in a Ge'ez line
    ("123 !!", False),
    ("", False),
])
def test_is_romanised(text: str, expected: bool) -> None:
    assert is_romanised(text) is expected


def test_the_encoder_reads_arabizi_in_arabic_letters() -> None:
    assert encoder_text("law sama7t, ana mesh 3aref a3mel eh") == "لو سمحت, انا مش عرف اعمل اه"


def test_the_conversation_language_decides_a_short_romanised_word() -> None:
    assert encoder_text("selam", previous="am") == "ሰላም"


@pytest.mark.parametrize("text", [
    "the boss took my passport",  # English: no other script to go back to
    "jag behöver hjälp",
    "مديري أخذ جوازي",  # already in its own script
])
def test_the_encoder_reads_other_text_as_written(text: str) -> None:
    assert encoder_text(text) == text


def sentence_vector(message):
    _, sentence = message.get_dense_features("text")
    return sentence.features[0]


def test_the_featurizer_embeds_the_transliteration_with_the_conversation_language() -> None:
    """In an Amharic conversation "selam" is embedded as ሰላም; without a prior, as written
    whenever the detector does not call it Amharic."""
    import numpy as np
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.sentence_encoder import SentenceEncoderFeaturizer, embed
    from tests.test_language_component import tracker

    featurizer = SentenceEncoderFeaturizer({}, "encoder")
    message = Message({"text": "selam"})
    featurizer.process([message], tracker("am"))
    vector = sentence_vector(message)
    assert np.allclose(vector, embed(["ሰላም"])[0], atol=1e-5)
    assert not np.allclose(vector, embed(["selam"])[0], atol=1e-3)

    plain = SentenceEncoderFeaturizer({"transliterate": False}, "encoder")
    message = Message({"text": "selam"})
    plain.process([message], tracker("am"))
    assert np.allclose(sentence_vector(message), embed(["selam"])[0], atol=1e-5)
