"""Which languages Fristad speaks, read from the files in ``translations/``.

A language is added by adding ``translations/<code>.yml`` (and NLU data): no code
changes. Tier 1 files hold every text; tier 2 files hold the key messages only,
and a person writing a tier-2 language is answered with those and sent to a human.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Mapping, Optional

import yaml

LAYOUT_FILE = "_layout.yml"


@dataclass(frozen=True)
class Language:
    """One language as the person sees it."""

    code: str
    name: str  # its own name, in its own script
    english_name: str
    direction: str = "ltr"
    tier: int = 1

    @property
    def is_rtl(self) -> bool:
        return self.direction == "rtl"


def translation_files(translations_dir: Path) -> Iterator[Path]:
    """Every language file, in a stable order (the layout file is not one)."""
    for path in sorted(translations_dir.glob("*.yml")):
        if not path.name.startswith("_"):
            yield path


def read_yaml(path: Path) -> Dict:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a mapping")
    return data


def language_from_file(path: Path) -> Language:
    meta = read_yaml(path).get("language") or {}
    code = path.stem
    if meta.get("code", code) != code:
        raise ValueError(f"{path}: language.code {meta.get('code')!r} does not match the file name")
    return Language(
        code=code,
        name=str(meta.get("name", code)),
        english_name=str(meta.get("english_name", code)),
        direction=str(meta.get("direction", "ltr")),
        tier=int(meta.get("tier", 1)),
    )


@functools.lru_cache(maxsize=4)
def load_languages(translations_dir: Path) -> Mapping[str, Language]:
    """All languages with a translation file, keyed by ISO 639-1 code."""
    return {lang.code: lang for lang in map(language_from_file, translation_files(translations_dir))}


def default_translations_dir() -> Path:
    from bot.settings import get_settings

    return get_settings().translations_dir


def languages(translations_dir: Optional[Path] = None) -> Mapping[str, Language]:
    return load_languages(translations_dir or default_translations_dir())


def tier1_codes(translations_dir: Optional[Path] = None) -> frozenset:
    return frozenset(c for c, lang in languages(translations_dir).items() if lang.tier == 1)
