"""The tokenizer, the spelling folding and the intent classifier, as Rasa runs them."""
from __future__ import annotations

from typing import List

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.linear_classifier import LinearIntentClassifier
from bot.nlu.normalise import fold
from bot.nlu.tokenizer import ScriptAwareTokenizer


@pytest.fixture(scope="module")
def tokenizer() -> ScriptAwareTokenizer:
    return ScriptAwareTokenizer(ScriptAwareTokenizer.get_default_config())


def words(tokenizer: ScriptAwareTokenizer, text: str) -> List[str]:
    return [t.text for t in tokenizer.tokenize(Message({"text": text}), "text")]


# -- folding ---------------------------------------------------------------------------
@pytest.mark.parametrize("typed,plain", [
    ("Tôi cần giúp đỡ", "toi can giup do"),
    ("ndihmë", "ndihme"),
    ("Łódź", "lodz"),
    ("PLEEEASE", "pleease"),
    ("Ｈｅｌｐ", "help"),
])
def test_latin_spellings_fold_to_one_form(typed: str, plain: str) -> None:
    assert " ".join(fold(w) for w in typed.split()) == plain


def test_arabic_and_persian_letter_variants_fold_together() -> None:
    assert fold("كمك") == fold("کمک")  # Arabic kaf, Persian keheh
    assert fold("أريد") == fold("اريد")
    assert fold("مُسَاعَدَة") == fold("مساعده")  # vowel marks and ta marbuta


@pytest.mark.parametrize("word", ["ช่วยด้วย", "ሓገዝ", "помощь", "帮助"])
def test_marks_that_are_part_of_letters_are_kept(word: str) -> None:
    assert fold(word) == word.casefold()


# -- tokenizing ---------------------------------------------------------------------------
def test_chinese_is_split_into_words(tokenizer: ScriptAwareTokenizer) -> None:
    found = words(tokenizer, "老板拿走了我的护照，我很害怕")
    assert "护照" in found and "老板" in found
    assert "，" not in found


def test_thai_is_split_into_words(tokenizer: ScriptAwareTokenizer) -> None:
    found = words(tokenizer, "เจ้านายยึดพาสปอร์ตของฉันไป ช่วยด้วย")
    assert len(found) >= 5
    assert "ช่วยด้วย" in found or "ช่วย" in found


def test_chinese_next_to_latin_words_is_kept(tokenizer: ScriptAwareTokenizer) -> None:
    # Rasa's emoji pattern spans every Han letter: the plain whitespace tokenizer drops 你好 here.
    assert words(tokenizer, "hi 你好") == ["hi", "你好"]


@pytest.mark.parametrize("text", ["老板拿走了我的护照", "hej 你好 😀", "เจ้านายยึดพาสปอร์ต ok", "tôi cần giúp đỡ!!"])
def test_token_offsets_point_into_the_text(tokenizer: ScriptAwareTokenizer, text: str) -> None:
    for token in tokenizer.tokenize(Message({"text": text}), "text"):
        assert text[token.start:token.end] == token.text
        assert token.lemma == fold(token.text)


@pytest.mark.parametrize("text", ["😀", ":)", "!!!", "\u200f", "123"])
def test_text_without_letters_still_gives_a_token(tokenizer: ScriptAwareTokenizer, text: str) -> None:
    assert words(tokenizer, text)


# -- the classifier -----------------------------------------------------------------------
TRAINING = {
    "passport_taken": ["boss took my passport", "they keep my passport", "he has my id card", "my passport is gone",
                       "chefen tog mitt pass", "老板拿走了我的护照"],
    "need_shelter": ["i have nowhere to sleep", "need a safe place tonight", "where can i sleep", "i need somewhere to stay",
                     "jag har ingenstans att sova", "我今晚没地方睡"],
    "greet": ["hello", "hi is anyone there", "hey", "good morning", "hej", "你好"],
}


def featurize(messages: List[Message], tokenizer: ScriptAwareTokenizer, featurizers: List[CountVectorsFeaturizer]) -> None:
    tokenizer.process(messages)
    for featurizer in featurizers:
        featurizer.process(messages)


@pytest.fixture()
def trained(tmp_path, tokenizer: ScriptAwareTokenizer):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(graph_schema=None, model_id="test")  # type: ignore[arg-type]
    examples = [Message({"text": text, "intent": intent}) for intent, texts in TRAINING.items() for text in texts]
    data = TrainingData(examples)
    tokenizer.process_training_data(data)
    featurizers = []
    for name, config in (("words", {}), ("chars", {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4})):
        featurizer = CountVectorsFeaturizer.create(
            {**CountVectorsFeaturizer.get_default_config(), **config}, storage, Resource(name), context
        )
        featurizer.train(data)
        featurizer.process_training_data(data)
        featurizers.append(featurizer)
    resource = Resource("linear")
    classifier = LinearIntentClassifier.create(LinearIntentClassifier.get_default_config(), storage, resource, context)
    classifier.train(data)
    return storage, resource, context, featurizers


def classify(classifier: LinearIntentClassifier, tokenizer, featurizers, text: str) -> Message:
    message = Message({"text": text})
    featurize([message], tokenizer, featurizers)
    classifier.process([message])
    return message


@pytest.mark.parametrize("text,expected", [
    ("the boss took my passport away", "passport_taken"),
    ("i need a place to sleep tonight", "need_shelter"),
    ("hello is anyone there", "greet"),
    ("老板拿了护照", "passport_taken"),
])
def test_the_trained_classifier_survives_a_reload(trained, tokenizer, text: str, expected: str) -> None:
    storage, resource, context, featurizers = trained
    loaded = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage, resource, context)
    message = classify(loaded, tokenizer, featurizers, text)
    assert message.get("intent")["name"] == expected
    ranking = message.get("intent_ranking")
    assert ranking[0]["name"] == expected
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
    assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)


def test_an_empty_message_gets_a_ranking_not_an_error(trained, tokenizer) -> None:
    storage, resource, context, featurizers = trained
    loaded = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage, resource, context)
    message = classify(loaded, tokenizer, featurizers, "😀")
    confidences = [r["confidence"] for r in message.get("intent_ranking")]
    assert np.isfinite(confidences).all()


def test_an_untrained_classifier_leaves_messages_alone(tmp_path) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(graph_schema=None, model_id="test")  # type: ignore[arg-type]
    loaded = LinearIntentClassifier.load({}, storage, Resource("missing"), context)
    message = Message({"text": "hello"})
    loaded.process([message])
    assert message.get("intent") is None
