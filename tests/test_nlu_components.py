"""The tokenizer, the spelling folding and the intent classifier, as Rasa runs them."""
from __future__ import annotations

from typing import Any, List

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
from bot.nlu.sentence_encoder import SentenceEncoderFeaturizer, embed
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


def featurize(messages: List[Message], tokenizer: ScriptAwareTokenizer, featurizers: List[Any]) -> None:
    tokenizer.process(messages)
    for featurizer in featurizers:
        featurizer.process(messages)


def encoder() -> SentenceEncoderFeaturizer:
    return SentenceEncoderFeaturizer({}, "encoder")


@pytest.fixture(params=[False, True], ids=["ngrams", "ngrams+encoder"])
def trained(request, tmp_path, tokenizer: ScriptAwareTokenizer):
    return train_classifier(tmp_path, tokenizer, with_encoder=request.param)


def train_classifier(tmp_path, tokenizer: ScriptAwareTokenizer, with_encoder: bool, **classifier_config: Any):
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
    if with_encoder:
        featurizers.append(encoder())
        featurizers[-1].process_training_data(data)
    resource = Resource("linear")
    config = {**LinearIntentClassifier.get_default_config(), **classifier_config}
    classifier = LinearIntentClassifier.create(config, storage, resource, context)
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


def test_the_nearest_examples_vote_by_similarity() -> None:
    classifier = LinearIntentClassifier({"neighbours": 2, "neighbour_temperature": 0.05}, None, None)  # type: ignore[arg-type]
    classifier.classes = ["greet", "passport_taken"]
    classifier.memory = np.array([[1.0, 0.0], [0.0, 1.0], [0.8, 0.6]], dtype=np.float32)
    classifier.memory_labels = np.array([0, 1, 1], dtype=np.int16)
    votes, voted = classifier.neighbour_votes(np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]], dtype=np.float32))
    # [1, 0]: itself (similarity 1, greet) and [0.8, 0.6] (0.8, passport): e^-4 times less.
    assert votes[0] == pytest.approx([1 / (1 + np.exp(-4)), np.exp(-4) / (1 + np.exp(-4))])
    assert votes[1] == pytest.approx([0.0, 1.0])  # both nearest are passport examples; length does not matter
    assert voted.tolist() == [True, True, False]  # a message without an embedding gets no vote
    assert not votes[2].any()


def test_the_neighbour_vote_is_kept_in_the_model(tmp_path, tokenizer) -> None:
    text = "老板拿走了我的护照"  # a training example of passport_taken: its own nearest neighbour

    def confidence(folder: str, share: float) -> float:
        (tmp_path / folder).mkdir()
        config = {"neighbour_weight": share, "neighbours": 1}
        storage, resource, context, featurizers = train_classifier(tmp_path / folder, tokenizer, with_encoder=True, **config)
        loaded = LinearIntentClassifier.load({**LinearIntentClassifier.get_default_config(), **config}, storage, resource, context)
        assert loaded.memory.shape == ((18, 384) if share else (0, 0))
        ranking = classify(loaded, tokenizer, featurizers, text).get("intent_ranking")
        assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
        return {r["name"]: r["confidence"] for r in ranking}["passport_taken"]

    alone = confidence("regression", 0.0)
    # The one nearest example is the text itself: its whole vote goes to passport_taken.
    assert confidence("vote", 0.5) == pytest.approx(0.5 * alone + 0.5, abs=1e-3)


# -- the sentence encoder -------------------------------------------------------------------
def test_the_encoder_places_one_meaning_in_many_languages_together() -> None:
    passport = embed(["my boss took my passport", "mi jefe me quitó el pasaporte", "начальник забрал мой паспорт"])
    weather = embed(["what will the weather be tomorrow"])[0]
    assert passport.shape == (3, 384)
    assert np.allclose(np.linalg.norm(passport, axis=1), 1.0, atol=1e-4)
    for row in passport[1:]:
        assert float(row @ passport[0]) > float(row @ weather) + 0.05


def test_the_encoder_gives_each_message_with_text_one_sentence_vector() -> None:
    messages = [Message({"text": "they took my passport"}), Message({"text": "  "}), Message({"text": "你好"})]
    encoder().process(messages)
    sequence, sentence = messages[0].get_dense_features("text")
    assert sequence is None and sentence.features.shape == (1, 384)
    assert messages[1].get_dense_features("text") == (None, None)
    assert messages[2].get_dense_features("text")[1] is not None


def test_the_encoder_carries_an_intent_into_a_language_without_examples(tmp_path, tokenizer) -> None:
    # No Cyrillic in the training examples: the n-grams know none of these words, so
    # without the encoder both texts get the same ranking; with it each leans to its intent.
    passport, shelter = "у меня забрали паспорт", "мне негде спать сегодня"

    def confidences(with_encoder: bool, text: str) -> dict:
        folder = tmp_path / f"model-{len(list(tmp_path.iterdir()))}"  # a fresh store per model
        folder.mkdir()
        storage, resource, context, featurizers = train_classifier(folder, tokenizer, with_encoder)
        loaded = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage, resource, context)
        assert loaded.dense_width == (384 if with_encoder else 0)
        return {r["name"]: r["confidence"] for r in classify(loaded, tokenizer, featurizers, text).get("intent_ranking")}

    assert confidences(False, passport) == pytest.approx(confidences(False, shelter))
    on_passport, on_shelter = confidences(True, passport), confidences(True, shelter)
    assert on_passport["passport_taken"] > on_shelter["passport_taken"] + 0.05
    assert on_shelter["need_shelter"] > on_passport["need_shelter"] + 0.05


def test_each_benchmark_baseline_changes_one_part_of_the_pipeline(tmp_path) -> None:
    import yaml

    from benchmarks.nlu import baseline_config
    from bot.settings import PROJECT_ROOT

    def names(path) -> List[str]:
        return [c["name"] for c in yaml.safe_load(path.read_text(encoding="utf-8"))["pipeline"]]

    production = names(PROJECT_ROOT / "config.yml")
    assert "bot.nlu.sentence_encoder.SentenceEncoderFeaturizer" in production
    assert names(baseline_config("ngrams", tmp_path)) == [
        n for n in production if n != "bot.nlu.sentence_encoder.SentenceEncoderFeaturizer"]
    assert names(baseline_config("whitespace", tmp_path)) == [
        "WhitespaceTokenizer" if n.endswith("ScriptAwareTokenizer") else n for n in production]
    with pytest.raises(ValueError):
        baseline_config("nothing", tmp_path)


def test_dense_features_of_another_width_are_refused_not_mixed() -> None:
    from rasa.shared.nlu.training_data.features import Features

    from bot.nlu.linear_classifier import dense_sentence_features

    messages = [Message({"text": "a"}), Message({"text": "b"}), Message({"text": "c"})]
    messages[0].add_features(Features(np.ones((1, 4)), "sentence", "text", "enc"))
    messages[2].add_features(Features(np.ones((1, 4)), "sentence", "text", "enc"))
    matrix = dense_sentence_features(messages)
    assert matrix.shape == (3, 4) and not matrix[1].any() and matrix[0].all()
    with pytest.raises(ValueError):
        dense_sentence_features(messages, width=3)
