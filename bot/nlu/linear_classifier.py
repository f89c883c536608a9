"""Rasa intent classifier: multinomial logistic regression on tf-idf weighted n-gram counts and a sentence embedding.

With tens of examples per intent and language, a linear model on word and
character n-grams generalises to unseen wordings better than DIET does (0.745
against 0.686 intent macro-F1 on the same cross-validation fold; README, "How
messages are understood"), trains in minutes and gives
probabilities that a fallback threshold can be set on. It reads the sparse
sentence features of the featurizers before it (CountVectorsFeaturizer), weighs
them by sublinear tf-idf and L2-normalises each message; dense sentence features
(the multilingual sentence embedding of ``SentenceEncoderFeaturizer``) are put
beside them, scaled by ``dense_weight``. The regression is fitted by
``bot.nlu.softmax_regression``: scikit-learn's objective, with the embedding kept
dense instead of stored as millions of sparse entries (four times faster).

A linear model draws one straight boundary per intent; a dialect spelling or a
rare way of saying something sits near a few examples of its intent but on the
wrong side of that line. So the training examples' embeddings are kept, and the
``neighbours`` nearest to a message vote (weighted by similarity) beside the
regression: ``neighbour_weight`` is the vote's share of the probabilities.

The model is stored as plain arrays (``.npz``), never pickled: loading a model
runs no code from it.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
import scipy.sparse

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.softmax_regression import fit_softmax_regression

logger = logging.getLogger(__name__)

MODEL_FILE = "linear_intent_classifier.npz"


def sentence_features(messages: List[Message], width: Optional[int] = None) -> scipy.sparse.csr_matrix:
    """One row per message: the sparse sentence features of every featurizer, side by side."""
    rows = []
    for message in messages:
        _, sentence = message.get_sparse_features(TEXT)
        if sentence is None:
            rows.append(scipy.sparse.csr_matrix((1, width or 0)))
        else:
            rows.append(scipy.sparse.csr_matrix(sentence.features))
    if width is not None:
        rows = [_fit_width(row, width) for row in rows]
    return scipy.sparse.vstack(rows, format="csr") if rows else scipy.sparse.csr_matrix((0, width or 0))


def dense_sentence_features(messages: List[Message], width: Optional[int] = None) -> np.ndarray:
    """One row per message: the dense sentence features, zeros where a message has none."""
    rows: List[Optional[np.ndarray]] = []
    for message in messages:
        _, sentence = message.get_dense_features(TEXT)
        rows.append(None if sentence is None else np.asarray(sentence.features, dtype=np.float32).reshape(-1))
    found = {row.shape[0] for row in rows if row is not None}
    if width is None:
        width = found.pop() if len(found) == 1 else 0
    if found - {width}:
        raise ValueError(f"dense feature width changed: {sorted(found)} != {width}")
    matrix = np.zeros((len(messages), width), dtype=np.float32)
    for index, row in enumerate(rows):
        if row is not None:
            matrix[index] = row
    return matrix


def _fit_width(row: scipy.sparse.csr_matrix, width: int) -> scipy.sparse.csr_matrix:
    """A row with exactly ``width`` columns (an empty message has none)."""
    if row.shape[1] == width:
        return row
    if row.shape[1] == 0:
        return scipy.sparse.csr_matrix((1, width))
    raise ValueError(f"feature width changed: {row.shape[1]} != {width}")


def tfidf(counts: scipy.sparse.csr_matrix, idf: np.ndarray) -> scipy.sparse.csr_matrix:
    """Sublinear tf (1 + log count) times idf, each row scaled to unit length."""
    weighted = counts.astype(np.float64).tocsr(copy=True)
    np.log(weighted.data, out=weighted.data, where=weighted.data > 0)
    weighted.data += 1.0
    weighted = weighted.multiply(idf.reshape(1, -1)).tocsr()
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1))).ravel()
    norms[norms == 0] = 1.0
    return scipy.sparse.diags(1.0 / norms) @ weighted


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Each row scaled to length one (rows of zeros stay zeros)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)


def training_threads(configured: int) -> int:
    """Threads for fitting: as configured, or one per core this process may use."""
    if configured > 0:
        return configured
    return max(1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    return exps / exps.sum(axis=1, keepdims=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Logistic regression over tf-idf n-gram features; see the module docstring."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "C": 20.0,  # inverse regularisation strength, chosen by cross-validation
            "dense_weight": 0.7,  # scale of dense features beside the unit-length n-gram vector
            "max_iter": 3000,
            "tol": 1e-4,  # stop when no gradient entry is larger
            "threads": 0,  # blocks of rows fitted in parallel; 0: one per core
            "ranking_length": 10,
            # Nearest training examples by embedding that vote beside the regression (0: none).
            "neighbours": 10,
            "neighbour_weight": 0.0,
            "neighbour_temperature": 0.05,  # cosine similarity 0.05 lower counts e (2.7) times less
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.classes: List[str] = []
        self.idf = np.zeros(0)
        self.weights = np.zeros((0, 0), dtype=np.float32)  # (n-gram columns + dense columns, classes)
        self.intercept = np.zeros(0)
        self.dense_width = 0
        self.dense_weight = float(self.config["dense_weight"])
        self.memory = np.zeros((0, 0), dtype=np.float32)  # unit-length embeddings of the training examples
        self.memory_labels = np.zeros(0, dtype=np.int16)  # their intents, as indices into ``classes``

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource)

    # -- training --------------------------------------------------------------
    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.feature_extraction.text import TfidfTransformer

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.warning("LinearIntentClassifier: no intent examples, nothing trained")
            return self._resource
        counts = sentence_features(examples)
        labels = [e.get(INTENT) for e in examples]
        self.classes = sorted(set(labels))
        index = {name: i for i, name in enumerate(self.classes)}
        self.idf = TfidfTransformer(sublinear_tf=True, smooth_idf=True).fit(counts).idf_
        dense = dense_sentence_features(examples)
        self.dense_width = dense.shape[1]
        weights = fit_softmax_regression(
            tfidf(counts, self.idf), self.dense_weight * dense, np.array([index[label] for label in labels]),
            len(self.classes), C=float(self.config["C"]), max_iter=int(self.config["max_iter"]),
            tol=float(self.config["tol"]), threads=training_threads(int(self.config["threads"])))
        logger.debug("LinearIntentClassifier: %d L-BFGS iterations", weights.iterations)
        self.weights = np.vstack([weights.sparse, weights.dense])
        self.intercept = weights.intercept
        if self.dense_width and float(self.config["neighbour_weight"]) > 0:
            keep = np.linalg.norm(dense, axis=1) > 0
            self.memory = unit_rows(dense[keep])
            self.memory_labels = np.array([index[label] for label, kept in zip(labels, keep) if kept], dtype=np.int16)
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            np.savez_compressed(directory / MODEL_FILE, classes=np.array(self.classes), idf=self.idf,
                                weights=self.weights, intercept=self.intercept,
                                dense_width=self.dense_width, dense_weight=self.dense_weight,
                                # half precision: cosine similarities move by about 1e-3, the file halves
                                memory=self.memory.astype(np.float16), memory_labels=self.memory_labels)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LinearIntentClassifier":
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory, np.load(directory / MODEL_FILE, allow_pickle=False) as data:
                component.classes = [str(c) for c in data["classes"]]
                component.idf, component.intercept = data["idf"], data["intercept"]
                component.weights = np.ascontiguousarray(data["weights"], dtype=np.float32)
                component.dense_width = int(data["dense_width"]) if "dense_width" in data else 0
                component.dense_weight = float(data["dense_weight"]) if "dense_weight" in data else 0.0
                if "memory" in data:
                    component.memory = data["memory"].astype(np.float32)
                    component.memory_labels = data["memory_labels"]
        except (ValueError, FileNotFoundError):
            logger.debug("LinearIntentClassifier: no trained model in %s", resource.name)
        return component

    # -- inference -------------------------------------------------------------
    def probabilities(self, messages: List[Message]) -> np.ndarray:
        """One row of intent probabilities per message, columns in ``self.classes`` order."""
        counts = sentence_features(messages, width=len(self.idf))
        dense = dense_sentence_features(messages, width=self.dense_width)
        # tf-idf n-grams (unit length) and the dense features times ``dense_weight``, each
        # against its rows of the weights: the product reads only the n-grams present.
        weighted = tfidf(counts, self.idf).astype(np.float32)  # as the weights: no float64 copy of them
        scores = np.asarray(weighted @ self.weights[: len(self.idf)]) + self.intercept
        if self.dense_width:
            scores += (self.dense_weight * dense) @ self.weights[len(self.idf) :]
        regression = softmax(scores)
        share = float(self.config["neighbour_weight"])
        if share <= 0 or not len(self.memory_labels):
            return regression
        votes, voted = self.neighbour_votes(dense)
        regression[voted] = (1.0 - share) * regression[voted] + share * votes[voted]
        return regression

    def neighbour_votes(self, dense: np.ndarray, chunk: int = 512) -> Tuple[np.ndarray, np.ndarray]:
        """Per message, the intents of its ``neighbours`` nearest training examples, each
        weighted by exp((similarity - 1) / temperature) and normalised to sum to one; and
        which messages had an embedding to compare (the others get no vote)."""
        votes = np.zeros((len(dense), len(self.classes)), dtype=np.float64)
        voted = np.linalg.norm(dense, axis=1) > 0
        k = min(int(self.config["neighbours"]), len(self.memory_labels))
        if k < 1:
            return votes, np.zeros(len(dense), dtype=bool)
        temperature = float(self.config["neighbour_temperature"])
        rows = np.nonzero(voted)[0]
        for start in range(0, len(rows), chunk):  # bounded memory when a whole test set is parsed
            part = rows[start : start + chunk]
            similarity = unit_rows(dense[part]) @ self.memory.T
            nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
            weights = np.exp((np.take_along_axis(similarity, nearest, axis=1) - 1.0) / temperature)
            np.add.at(votes, (np.repeat(part, k), self.memory_labels[nearest].ravel()), weights.ravel())
        totals = votes.sum(axis=1, keepdims=True)
        voted &= totals[:, 0] > 0
        votes[voted] /= totals[voted]
        return votes, voted

    def process(self, messages: List[Message]) -> List[Message]:
        if not self.classes or not messages:
            return messages
        for message, row in zip(messages, self.probabilities(messages)):
            order = np.argsort(-row)
            ranking = [{"name": self.classes[i], "confidence": float(row[i])} for i in order]
            if self.config["ranking_length"] > 0:
                ranking = ranking[: self.config["ranking_length"]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
