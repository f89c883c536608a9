"""Language layer: ``from bot.language import detect``."""
from bot.language.detector import Detection, LanguageDetector, detect, get_detector

__all__ = ["Detection", "LanguageDetector", "detect", "get_detector"]
