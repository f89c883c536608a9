"""Rasa tokenizer that splits words in scripts written without spaces.

Chinese and Thai put no spaces between words, so a whitespace tokenizer sees a
whole sentence as one word and the word features learn nothing. Runs of Han or
Thai letters are segmented by spaCy's blank ``zh`` (jieba) and ``th`` (PyThaiNLP)
pipelines; everything else is split on whitespace as Rasa's WhitespaceTokenizer
does, except that Rasa's emoji filter (whose ranges cover all of CJK) no
longer drops Chinese words. Each token's lemma is its folded spelling (``bot.nlu.normalise.fold``),
which the CountVectorsFeaturizer uses by default (``use_lemma``).
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.normalise import fold

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_WORD = re.compile(r"\w")
_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=None)
def _segmenter(language: str) -> Any:
    """spaCy blank pipeline for one language, loaded on first use (jieba reads its dictionary then)."""
    import spacy

    logging.getLogger("jieba").setLevel(logging.WARNING)
    if language == "zh":
        return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    return spacy.blank(language)


def _segment(token: Token) -> List[Token]:
    """Split one whitespace token into words if it holds Han or Thai letters."""
    if _HAN.search(token.text):
        language = "zh"
    elif _THAI.search(token.text):
        language = "th"
    else:
        return [token]
    parts = [
        Token(word.text, token.start + word.idx)
        for word in _segmenter(language)(token.text)
        if _WORD.search(word.text)
    ]
    return parts or [token]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ScriptAwareTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer, plus word segmentation for Chinese and Thai and folded lemmas."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return WhitespaceTokenizer.get_default_config()

    def remove_emoji(self, text: Text) -> Text:
        """Drop a token only if it is emoji; Rasa's pattern also matches every Han letter."""
        if _LETTER.search(text):
            return text
        return super().remove_emoji(text)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = [part for token in super().tokenize(message, attribute) for part in _segment(token)]
        for token in tokens:
            token.lemma = fold(token.text)
        return tokens
