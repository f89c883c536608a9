"""Training text for the n-gram model, from sources we may ship and rebuild anywhere.

- ``bot/language/data/corpus/<class>.txt``: sentences and word lists written for
  this project (``ar-Latn.txt`` is Arabic in Latin letters, and so on);
- CLDR through Babel: names of languages, countries, units, months in each language;
- spaCy's language data: stop words, number words, example sentences;
- pyvi's Vietnamese word list;
- for Tigrinya and Amharic, the two languages that share the Ge'ez script and have
  little other shippable text: the word lists inside Tesseract's OCR models (Debian's
  ``tesseract-ocr-tir`` and ``-amh``), the ICT terms of the ``tech-mezgeb-qalat``
  package (the same terms in both languages), and the letter-pair and letter-triple
  counts of the GeezSwitch dataset's running text, shipped as language profiles in
  the ``geezswitch`` package (counts, not text: :func:`ngram_counts`);
- the message catalogs (gettext ``.mo`` files) of installed programs, in
  ``/usr/share/locale``: user-interface sentences in many languages, and their
  English originals (capped, so no language drowns the rest);
- our own ``translations/<code>.yml`` texts and ``nlu_data/nlu/<code>.yml`` examples;
  the examples of Arabic, Persian, Amharic, Tigrinya, Russian, Ukrainian, Bulgarian,
  Thai and Chinese written in Latin letters train the ``<code>-Latn`` classes (lines
  made only of common English or Swedish words, "shelter please", are left out: they
  would teach that English is Arabizi).

Never the public evaluation data (``../shared/eval``): that is for measuring only.
Every source is optional, so a missing package or file only makes the model smaller.
"""
from __future__ import annotations

import ast
import importlib.util
import json
import logging
import random
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

import yaml

from bot.language.ngram import fold_diacritics
from bot.language.scripts import LANGUAGE_SCRIPTS, script_counts

logger = logging.getLogger(__name__)

CORPUS_DIR = Path(__file__).with_name("data") / "corpus"

# Languages the model learns: tier 1, tier 2, and close neighbours a text may be mistaken for.
LANGUAGES: Tuple[str, ...] = (
    "sv", "en", "ar", "fa", "ro", "bg", "ru", "uk", "es", "fr", "th", "so", "ti", "am", "sq",
    "hu", "vi", "zh", "pl", "tl",
    "ps", "ku", "tr", "de", "pt", "it", "lt", "lv", "et", "sk", "cs", "hr", "sr", "hi", "ur",
    "bn", "ne", "mn", "id", "sw", "uz", "ta",
)
# Scripts a language is written in (letters of other scripts in its sources are noise).
NATIVE_SCRIPTS = LANGUAGE_SCRIPTS
# Languages with their own script whose NLU examples are partly in Latin letters.
ROMANISED_CLASSES: Tuple[str, ...] = tuple(
    f"{code}-Latn" for code in ("ar", "fa", "am", "ti", "ru", "uk", "bg", "th", "zh")
)
# Languages whose common words do not make a line romanised Arabic, Persian...
MIXED_IN_LANGUAGES: Tuple[str, ...] = ("en", "sv")
MIXED_IN_ZIPF = 3.0  # "please", "ok", "jobb" are far above this
# CLDR locale names where they differ from ours.
CLDR_LOCALES: Dict[str, Tuple[str, ...]] = {"tl": ("fil",), "sr": ("sr", "sr_Latn"), "zh": ("zh",)}
CLDR_SKIP_KEYS = frozenset({
    "abbreviated", "narrow", "short", "date_formats", "time_formats", "datetime_formats",
    "datetime_skeletons", "interval_formats", "number_symbols", "currency_symbols",
    "compact_decimal_formats", "compact_currency_formats", "currency_formats", "decimal_formats",
    "percent_formats", "scientific_formats", "currency_unit_patterns", "week_data",
    "plural_form", "locale_id", "character_order", "orientation", "variants",
})

# How much each source counts (our own sentences are the best evidence). The GeezSwitch
# profiles count three times: held-out Amharic pairs and words of our own were detected
# best with 2 to 5 (weight 0: am words 0.893, 3: 0.920), and the profiles hold about as
# many letter pairs and triples as all our Tigrinya text.
WEIGHTS = {"profiles": 3.0, "corpus": 1.0, "cldr": 0.5, "spacy": 1.0, "pyvi": 0.5, "gettext": 0.5, "translations": 1.0, "nlu": 1.0,
           "folded": 0.35, "tesseract": 0.5, "terms": 0.5}
LOCALE_DIRS: Tuple[Path, ...] = (Path("/usr/share/locale"),)
GETTEXT_WORDS = 40_000  # at most this many words per language from message catalogs
GETTEXT_LOCALES: Dict[str, Tuple[str, ...]] = {"tl": ("tl", "fil"), "zh": ("zh_CN",), "pt": ("pt", "pt_BR"), "sr": ("sr", "sr@latin")}
_GETTEXT_NOISE = re.compile(r"%[-+ #0-9.$*]*[a-zA-Z]|\{[^}]*\}|<[^>]+>|[_&](?=\w)|\\[nt]")

# Tesseract's model names for the languages whose OCR word lists we read, and where Debian puts them.
TESSERACT_MODELS: Dict[str, str] = {"ti": "tir", "am": "amh"}
TESSDATA_ROOT = Path("/usr/share/tesseract-ocr")  # Debian: <root>/<version>/tessdata/<model>.traineddata
TESSERACT_WORDS = 20_000  # at most this many words per language (Amharic's list has over half a million)

_PLACEHOLDER = re.compile(r"\{[^}]*\}|%[sd]|'[^']*'")
_ENTITY = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def native(language: str, text: str) -> bool:
    """Whether most letters of ``text`` are in a script the language is written in."""
    scripts = NATIVE_SCRIPTS.get(language.split("-")[0], ("Latn",))
    if language.endswith("-Latn"):
        scripts = ("Latn",)
    counts = script_counts(text)
    total = sum(counts.values())
    return total > 0 and sum(counts.get(s, 0) for s in scripts) >= 0.8 * total


# -- sources -------------------------------------------------------------------
def corpus_classes() -> List[str]:
    return sorted(p.stem for p in CORPUS_DIR.glob("*.txt"))


def corpus_lines(name: str) -> List[str]:
    """Lines of our own text for a class; ``#`` starts a comment line."""
    path = CORPUS_DIR / f"{name}.txt"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip() and not line.lstrip().startswith("#")]


def _walk_cldr(node, key: str = "") -> Iterator[str]:
    if key in CLDR_SKIP_KEYS:
        return
    if isinstance(node, str):
        yield node
    elif hasattr(node, "items"):
        for child_key, value in node.items():
            yield from _walk_cldr(value, str(child_key))
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _walk_cldr(value, key)


def cldr_lines(language: str) -> List[str]:
    try:
        from babel import localedata
    except ImportError:  # pragma: no cover - babel ships with Rasa
        return []
    lines: List[str] = []
    for locale in CLDR_LOCALES.get(language, (language,)):
        if not localedata.exists(locale):
            continue
        data = localedata.load(locale, merge_inherited=False)
        for text in _walk_cldr(data):
            text = _PLACEHOLDER.sub(" ", text).strip()
            if text and native(language, text):
                lines.append(text)
    return sorted(set(lines))


def _spacy_dir() -> Optional[Path]:
    spec = importlib.util.find_spec("spacy")
    return Path(spec.origin).parent if spec and spec.origin else None


def _string_constants(path: Path) -> Iterator[str]:
    """String literals in a Python file, read without importing it (spaCy imports are slow)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def spacy_lines(language: str) -> List[str]:
    """Stop words, number words, example sentences and test texts of spaCy's language data."""
    root = _spacy_dir()
    if root is None:
        return []
    lines: List[str] = []
    for relative in (f"lang/{language}/stop_words.py", f"lang/{language}/lex_attrs.py", f"lang/{language}/examples.py"):
        path = root / relative
        if not path.exists():
            continue
        for value in _string_constants(path):
            if "\n" in value and len(value.split()) > 20:  # a stop-word block
                lines.extend(value.split())
            elif native(language, value) and not value.startswith(("Example", "Sentences")):
                lines.append(value)
    tests = root / "tests" / "lang" / language
    if tests.is_dir():
        for path in sorted(tests.glob("*.py")):
            for value in _string_constants(path):
                if len(value.split()) >= 3 and native(language, value):
                    lines.append(" ".join(value.split()))
    return [line for line in lines if native(language, line)]


def pyvi_lines() -> List[str]:
    spec = importlib.util.find_spec("pyvi")
    if not spec or not spec.origin:
        return []
    path = Path(spec.origin).parent / "models" / "words.txt"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return sorted({line.strip().lower() for line in handle if line.strip()})


def tesseract_words(language: str, limit: int = TESSERACT_WORDS) -> List[str]:
    """Words of Tesseract's OCR dictionary for ``language``: a fixed random sample of ``limit``.

    The dictionary is a DAWG inside ``<model>.traineddata``; ``combine_tessdata`` and
    ``dawg2wordlist`` (package ``tesseract-ocr``) turn it into a word list.
    """
    model = TESSERACT_MODELS.get(language)
    if not model:
        return []
    tools = shutil.which("combine_tessdata"), shutil.which("dawg2wordlist")
    found = sorted(TESSDATA_ROOT.glob(f"*/tessdata/{model}.traineddata"))
    if not all(tools) or not found:
        logger.warning("no Tesseract word list for %s: apt-get install tesseract-ocr tesseract-ocr-%s", language, model)
        return []
    with tempfile.TemporaryDirectory() as tmp:
        prefix = str(Path(tmp) / model) + "."
        words_file = Path(tmp) / "words.txt"
        try:
            subprocess.run([tools[0], "-u", str(found[0]), prefix], check=True, capture_output=True, timeout=120)
            subprocess.run([tools[1], prefix + "lstm-unicharset", prefix + "lstm-word-dawg", str(words_file)],
                           check=True, capture_output=True, timeout=120)
            words = sorted({w.strip() for w in words_file.read_text(encoding="utf-8").splitlines()})
        except (OSError, subprocess.SubprocessError, UnicodeDecodeError) as error:
            logger.warning("skipping Tesseract's %s word list: %s", model, error)
            return []
    words = [w for w in words if w and native(language, w)]
    if len(words) > limit:
        words = sorted(random.Random(language).sample(words, limit))
    return words


# The ICT terminology dictionary in the ``tech-mezgeb-qalat`` package: the same terms in
# Amharic and Tigrinya, so neither language gets words the other lacks.
TERM_COLUMNS: Dict[str, str] = {"am": "amharic", "ti": "tigrigna"}


def term_lines(language: str) -> List[str]:
    """Amharic or Tigrinya terms from ``tech-mezgeb-qalat`` (MIT), when it is installed."""
    column = TERM_COLUMNS.get(language)
    spec = importlib.util.find_spec("tech_mezgeb_qalat") if column else None
    if not spec or not spec.origin:
        return []
    path = Path(spec.origin).parent / "terms.json"
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        logger.warning("skipping %s: %s", path, error)
        return []
    terms = (entry.get(column) for entry in entries if isinstance(entry, dict))
    return sorted({" ".join(term.split()) for term in terms if isinstance(term, str) and native(language, term)})


# Language profiles of the ``geezswitch`` package (Apache 2.0): 1- to 3-letter n-gram
# counts of the GeezSwitch dataset (Gaim et al., LREC 2022), a few thousand sentences of
# news and other running text per language. Read as files, never imported.
GEEZSWITCH_PROFILES: Dict[str, str] = {"am": "amh", "ti": "tir"}


def profile_counts(language: str, min_order: int = 2, max_order: int = 3) -> Counter:
    """``language``'s n-gram counts from its GeezSwitch profile, in our feature form.

    The profiles pad words with one space, as :func:`bot.language.ngram.token_features`
    does, so their 2- and 3-grams are our features as they are. Orders below
    ``min_order`` (our model has no single letters) and n-grams with letters of another
    script are left out. Empty when the package or the language's profile is missing.
    """
    name = GEEZSWITCH_PROFILES.get(language)
    spec = importlib.util.find_spec("geezswitch") if name else None
    if not spec or not spec.origin:
        return Counter()
    path = Path(spec.origin).parent / "profiles" / name
    try:
        frequencies = json.loads(path.read_text(encoding="utf-8")).get("freq") or {}
    except (OSError, ValueError, AttributeError) as error:
        logger.warning("skipping %s: %s", path, error)
        return Counter()
    counts: Counter = Counter()
    for gram, count in frequencies.items():
        letters = gram.strip(" ")
        if (
            isinstance(count, (int, float)) and count > 0
            and min_order <= len(gram) <= max_order and letters and " " not in letters
            and native(language, letters)
        ):
            counts[gram] += float(count)
    return counts


def ngram_counts(languages: Sequence[str] = LANGUAGES) -> Dict[str, Counter]:
    """Extra n-gram counts per class, weighted: sources that ship counts instead of text."""
    extra: Dict[str, Counter] = {}
    for language in languages:
        counts = profile_counts(language)
        if counts:
            extra[language] = Counter({gram: WEIGHTS["profiles"] * n for gram, n in counts.items()})
    return extra


def _catalog_files(language: str) -> List[Path]:
    files: List[Path] = []
    for root in LOCALE_DIRS:
        for locale in GETTEXT_LOCALES.get(language, (language,)):
            folder = root / locale / "LC_MESSAGES"
            if folder.is_dir():
                files += sorted(p for p in folder.glob("*.mo") if not p.name.startswith("iso"))
    return files


def _catalog_pairs(path: Path) -> Iterator[Tuple[str, str]]:
    import gettext

    try:
        with path.open("rb") as handle:
            catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    except Exception as error:  # noqa: BLE001 - a broken catalog of some program is not our problem
        logger.debug("skipping %s: %s", path, error)
        return
    for key, value in catalog.items():
        if isinstance(key, tuple):
            key = key[0]
        if isinstance(key, str) and isinstance(value, str) and key and value and value != key:
            yield key, value


def _clean_message(text: str) -> str:
    return " ".join(_GETTEXT_NOISE.sub(" ", text).split())


def gettext_lines(language: str, limit: int = GETTEXT_WORDS) -> List[str]:
    """Translated user-interface messages of installed programs (English: the originals)."""
    source = ("sv",) if language == "en" else (language,)
    lines: List[str] = []
    seen = set()
    words = 0
    for code in source:
        for path in _catalog_files(code):
            for original, translated in _catalog_pairs(path):
                text = _clean_message(original if language == "en" else translated)
                if len(text) < 3 or text in seen or not native(language, text):
                    continue
                seen.add(text)
                lines.append(text)
                words += len(text.split())
                if words >= limit:
                    return lines
    return lines


def _yaml(path: Path):
    if not path.exists():
        return {}
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError) as error:
        logger.warning("skipping %s: %s", path, error)
        return {}


def translation_lines(language: str, translations_dir: Path) -> List[str]:
    data = _yaml(translations_dir / f"{language}.yml")
    lines: List[str] = []

    def walk(node) -> None:
        if isinstance(node, str):
            text = _PLACEHOLDER.sub(" ", node).strip()
            if text:
                lines.append(text)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    if isinstance(data, dict):
        walk({k: v for k, v in data.items() if k != "language"})
    return lines


def only_mixed_in_words(line: str) -> bool:
    """Whether every word of ``line`` is a common English or Swedish word ("shelter please", "ok")."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a dependency; without it keep the line
        return False
    words = re.findall(r"[^\W\d_]+", line.lower())
    return bool(words) and all(
        max(zipf_frequency(w, code) for code in MIXED_IN_LANGUAGES) >= MIXED_IN_ZIPF for w in words
    )


def nlu_lines(language: str, nlu_dir: Path) -> List[str]:
    data = _yaml(nlu_dir / f"{language}.yml")
    lines: List[str] = []
    for block in (data.get("nlu") or []) if isinstance(data, dict) else []:
        examples = block.get("examples") if isinstance(block, dict) else None
        if not isinstance(examples, str):
            continue
        for line in examples.splitlines():
            line = line.strip()
            if line.startswith("- "):
                text = _ENTITY.sub(lambda m: m.group(1) or m.group(2) or "", line[2:]).strip()
                if text and not text.startswith("/"):
                    lines.append(text)
    return lines


# -- assembly ------------------------------------------------------------------
def training_texts(
    project_root: Path,
    languages: Sequence[str] = LANGUAGES,
    holdout: Optional[int] = None,
) -> Tuple[Dict[str, List[Tuple[str, float]]], Dict[str, List[str]]]:
    """``(text, weight)`` per class, and held-out sentences.

    With ``holdout=k``, every k-th sentence (four words or more) of our own corpus
    files, translations and NLU examples is kept out of training and returned, to
    fit how the detector weighs the n-gram model against lid.176.
    """
    texts: Dict[str, List[Tuple[str, float]]] = {}
    held: Dict[str, List[str]] = {}
    held_lines: Set[str] = set()
    translations_dir = project_root / "translations"
    nlu_dir = project_root / "nlu_data" / "nlu"
    classes = sorted(
        set(languages)
        | {c for c in (*corpus_classes(), *ROMANISED_CLASSES) if c.split("-")[0] in languages}
    )
    for name in classes:
        language = name.split("-")[0]
        items: List[Tuple[str, float]] = []
        sentences = 0

        def add(lines: Iterable[str], weight: float, may_hold: bool = True) -> None:
            nonlocal sentences
            for line in lines:
                if holdout and may_hold and len(line.split()) >= 4:
                    sentences += 1
                    if sentences % holdout == 0:
                        held.setdefault(name, []).append(line)
                        held_lines.add(line)
                        continue
                items.append((line, weight))

        add(corpus_lines(name), WEIGHTS["corpus"])
        if name in ROMANISED_CLASSES:
            # The language's own class (sorted first) already held some of these lines
            # out; they must not be learnt here either.
            latin = [line for line in nlu_lines(language, nlu_dir) if native(name, line) and line not in held_lines]
            add([line for line in latin if not only_mixed_in_words(line)], WEIGHTS["nlu"], may_hold=False)
        if name == language:  # the other sources are in the language's own script
            add(cldr_lines(language), WEIGHTS["cldr"], may_hold=False)
            add(spacy_lines(language), WEIGHTS["spacy"])
            add(gettext_lines(language), WEIGHTS["gettext"], may_hold=False)
            add(translation_lines(language, translations_dir), WEIGHTS["translations"])
            add(nlu_lines(language, nlu_dir), WEIGHTS["nlu"])
            if language == "vi":
                add(pyvi_lines(), WEIGHTS["pyvi"], may_hold=False)
            add(tesseract_words(language), WEIGHTS["tesseract"], may_hold=False)
            add(term_lines(language), WEIGHTS["terms"], may_hold=False)
        items = [(text, weight) for text, weight in items if native(name, text)]
        if "Latn" in NATIVE_SCRIPTS.get(language, ("Latn",)) or name.endswith("-Latn"):
            # People often type without diacritics: learn that form too, at a lower weight.
            folded = [(fold_diacritics(text), weight * WEIGHTS["folded"]) for text, weight in items]
            items += [(text, weight) for (text, weight), (orig, _) in zip(folded, items) if text != orig]
        if items:
            texts[name] = items
    return texts, held


def sizes(texts: Dict[str, List[Tuple[str, float]]]) -> Dict[str, int]:
    return {name: sum(len(text.split()) for text, _ in items) for name, items in texts.items()}


def iter_words(texts: Iterable[str]) -> Iterator[str]:
    for text in texts:
        yield from text.split()
