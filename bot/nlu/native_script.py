"""Rasa featurizer: character n-grams of a message written in its language's own script.

People write Arabic, Persian, Amharic, Tigrinya, Russian, Ukrainian and Bulgarian in
their own script or, without that keyboard, in Latin letters ("ana m7tajeh", "selam").
The word and character n-grams of ``CountVectorsFeaturizer`` see the two spellings of
one word as unrelated, so an Arabizi message learns only from the Arabizi examples.
This featurizer counts character 1–4-grams (inside words) of such a message in its own
script: a romanised one transliterated back (:mod:`bot.nlu.romanised`, the language from
the detector with the conversation's language as prior), one in Arabic, Cyrillic or
Ge'ez letters as written. Arabic-script words are reduced to their consonants, since
Arabizi and Finglish write vowels where the script does and does not: "ana m7tajeh" and
"انا محتاجة" both read "ان محتجه". Messages in any other language get an empty row (their
own n-grams are counted already). The vocabulary is stored as JSON, never pickled.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any, Dict, List, Optional, Text

import scipy.sparse

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language import detect
from bot.language.scripts import script_counts
from bot.nlu import romanised
from bot.nlu.normalise import fold

logger = logging.getLogger(__name__)

VOCABULARY_FILE = "native_script_vocabulary.json"
# The scripts of the languages ``bot.nlu.romanised`` writes back.
NATIVE_SCRIPTS = frozenset({"Arab", "Cyrl", "Ethi"})
# Alif, waw and yeh after a letter: long vowels the script writes and romanised text
# spells as it likes (a/aa, o/u/ou, i/ee/y). Without them a word is its consonants.
_ARABIC_VOWEL_LETTERS = re.compile(r"(?<=\w)[اويىیآ]")


def consonant_skeleton(text: str) -> str:
    """Arabic-script words without the vowel letters after their first letter; other scripts unchanged."""
    return _ARABIC_VOWEL_LETTERS.sub("", text)


def native_script_text(text: str, previous: Optional[str] = None, consonants: bool = True) -> str:
    """``text`` folded, in its own script (and Arabic script in consonants), when it is in
    one of the languages :mod:`bot.nlu.romanised` knows; empty otherwise."""
    if romanised.is_romanised(text):
        language = detect(text, previous=previous).language
        if language not in romanised.LANGUAGES:
            return ""
        text = romanised.to_native_script(text, language)
    else:
        if not script_counts(text).keys() & NATIVE_SCRIPTS:
            return ""
    return consonant_skeleton(fold(text)) if consonants else fold(text)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class NativeScriptNgramFeaturizer(SparseFeaturizer, GraphComponent):
    """Adds counts of character n-grams of the native-script text as a sparse sentence feature."""

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**SparseFeaturizer.get_default_config(), "min_ngram": 1, "max_ngram": 4, "consonants": True}

    def __init__(
        self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage, resource: Resource,
        vocabulary: Optional[Dict[str, int]] = None,
    ) -> None:
        super().__init__(name, {**self.get_default_config(), **config})
        self._model_storage = model_storage
        self._resource = resource
        self._vectorizer = self._make_vectorizer(vocabulary) if vocabulary else None

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if not 1 <= int(config.get("min_ngram", 1)) <= int(config.get("max_ngram", 4)):
            raise ValueError("NativeScriptNgramFeaturizer: need 1 <= min_ngram <= max_ngram")

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> "NativeScriptNgramFeaturizer":
        return cls(config, execution_context.node_name, model_storage, resource)

    def _make_vectorizer(self, vocabulary: Optional[Dict[str, int]] = None) -> Any:
        from sklearn.feature_extraction.text import CountVectorizer

        span = (int(self._config["min_ngram"]), int(self._config["max_ngram"]))
        return CountVectorizer(analyzer="char_wb", ngram_range=span, lowercase=False, vocabulary=vocabulary)

    # -- training ----------------------------------------------------------------------
    def train(self, training_data: TrainingData) -> Resource:
        consonants = bool(self._config["consonants"])
        texts = [native_script_text(m.get(TEXT), consonants=consonants)
                 for m in training_data.training_examples if isinstance(m.get(TEXT), str)]
        vectorizer = self._make_vectorizer()
        try:
            vectorizer.fit(texts)
        except ValueError:  # no text with a letter in it: nothing to count
            logger.warning("NativeScriptNgramFeaturizer: no training text, no features")
            return self._resource
        self._vectorizer = vectorizer
        vocabulary = {gram: int(index) for gram, index in vectorizer.vocabulary_.items()}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "NativeScriptNgramFeaturizer":
        vocabulary = None
        try:
            with model_storage.read_from(resource) as directory:
                vocabulary = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.debug("NativeScriptNgramFeaturizer: no vocabulary in %s", resource.name)
        return cls(config, execution_context.node_name, model_storage, resource, vocabulary)

    # -- featurizing -------------------------------------------------------------------
    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message], tracker: Optional[DialogueStateTracker] = None) -> List[Message]:
        """One row per message with text (every such message, so feature widths always match)."""
        if self._vectorizer is None:
            return messages
        with_text = [message for message in messages if isinstance(message.get(TEXT), str)]
        if not with_text:
            return messages
        previous = tracker.get_slot("language") if tracker else None
        consonants = bool(self._config["consonants"])
        texts = [native_script_text(m.get(TEXT), previous, consonants) for m in with_text]
        counts = self._vectorizer.transform(texts).tocsr()
        for row, message in enumerate(with_text):
            self.add_features_to_message(None, scipy.sparse.coo_matrix(counts[row]), TEXT, message)
        return messages
