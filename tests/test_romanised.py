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


# -- character n-grams in the language's own script ----------------------------------------
def native_featurizer(tmp_path, texts):
    from rasa.engine.graph import ExecutionContext
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu.native_script import NativeScriptNgramFeaturizer

    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(graph_schema=None, model_id="test")  # type: ignore[arg-type]
    resource = Resource("native")
    config = NativeScriptNgramFeaturizer.get_default_config()
    trained = NativeScriptNgramFeaturizer.create(config, storage, resource, context)
    trained.train(TrainingData([Message({"text": text, "intent": "x"}) for text in texts]))
    return NativeScriptNgramFeaturizer.load(config, storage, resource, context)


def ngram_row(featurizer, text: str, language=None):
    from rasa.shared.nlu.training_data.message import Message

    from tests.test_language_component import tracker

    message = Message({"text": text})
    featurizer.process([message], tracker(language) if language else None)
    _, sentence = message.get_sparse_features("text")
    row = sentence.features.toarray()[0]
    for gram, index in featurizer._vectorizer.vocabulary_.items():
        if not gram.strip():  # the word-boundary padding every text has
            row[index] = 0
    return row


def test_arabizi_and_arabic_letters_share_their_ngrams(tmp_path) -> None:
    """"ana m7tajeh" and "انا محتاجة" have no character in common as written; in Arabic
    consonants they share most of their n-grams, so examples of either teach both. Other
    languages get an empty row: their n-grams are counted by the other featurizers."""
    import numpy as np

    featurizer = native_featurizer(tmp_path, ["انا محتاجة مساعدة", "the boss took my passport", "ana m7tajeh"])
    arabizi, arabic = ngram_row(featurizer, "ana m7tajeh", "ar"), ngram_row(featurizer, "انا محتاجة", "ar")
    english = ngram_row(featurizer, "i need help")
    assert arabizi.shape == arabic.shape == english.shape
    cosine = float(arabizi @ arabic) / float(np.linalg.norm(arabizi) * np.linalg.norm(arabic))
    assert cosine > 0.5
    assert not english.any()


@pytest.mark.parametrize("text, expected", [
    ("ana m7tajeh", "ان محتجه"),  # Arabizi: into Arabic letters, then consonants
    ("انا محتاجة", "ان محتجه"),  # the same words typed in Arabic
    ("komak mikham", "کمک مخم"),
    ("من کمک میخوام", "من کمک مخم"),
    ("Мне нужна помощь", "мне нужна помощь"),
    ("vårdcentral የት ነው", "vardcentral የት ነው"),  # a Swedish word in an Amharic line stays
    ("the boss took my passport", ""),
    ("Tôi cần giúp đỡ", ""),
])
def test_native_script_text(text: str, expected: str) -> None:
    from bot.nlu.native_script import native_script_text

    assert native_script_text(text, previous="ar" if text.startswith("ana") else None) == expected


def test_every_message_with_text_gets_a_row_of_one_width(tmp_path) -> None:
    """A message with no known n-gram (an emoji, an empty text) still gets its row: the
    classifier puts every featurizer's row side by side and needs them all."""
    featurizer = native_featurizer(tmp_path, ["Мне нужна помощь", "ሰላም"])
    rows = [ngram_row(featurizer, text) for text in ("мне", "😀", "", "hello")]
    assert {row.shape for row in rows} == {rows[0].shape}
    assert rows[0].any() and not any(row.any() for row in rows[1:])
