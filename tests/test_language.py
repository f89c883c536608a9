"""Language detection: the conversation prior, the person's choice, and lid.176's blind spots.

The sentences here were written for these tests (not taken from the n-gram model's
training text nor from the public evaluation data), so they test what the model
learnt, not what it memorised.
"""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.language import LanguageDetector, detect, get_detector
from bot.language.corpus import LANGUAGES, ROMANISED_CLASSES, corpus_classes, only_mixed_in_words
from bot.language.detector import LID_MAX_WORDS, get_weights
from bot.language.ngram import NgramModel, get_ngram_model
from bot.language.registry import languages
from bot.language.words import WordFrequencies, get_word_frequencies, save as save_words, word_hash

TIER1 = frozenset("sv en ar fa ro bg ru uk es fr th so ti am sq hu vi zh pl tl".split())


@pytest.fixture(scope="module")
def tier1() -> LanguageDetector:
    return LanguageDetector(TIER1, default="en")


OPENINGS = {
    "sv": "Hej, jag jobbar på en restaurang och chefen har tagit mitt pass",
    "ar": "مرحبا، أنا أعمل في مطعم وصاحب العمل أخذ جواز سفري",
    "ru": "Здравствуйте, я работаю в ресторане, и хозяин забрал мой паспорт",
    "ti": "ሰላም፡ ኣብ ቤት መግቢ እሰርሕ ኣለኹ፡ ወናኒ ስራሕ ፓስፖርተይ ሒዝዎ ኣሎ",
    "vi": "Xin chào, tôi làm việc ở nhà hàng và chủ đã lấy hộ chiếu của tôi",
    "so": "Salaan, waxaan ka shaqeeyaa makhaayad, milkiiluhuna baasaboorkayga wuu qaatay",
}


# -- the conversation prior ------------------------------------------------------
@pytest.mark.parametrize("language", sorted(OPENINGS))
def test_opening_sentence_is_detected(tier1: LanguageDetector, language: str) -> None:
    found = tier1.detect(OPENINGS[language])
    assert found.language == language
    assert found.certain


@pytest.mark.parametrize("language", sorted(OPENINGS))
@pytest.mark.parametrize("reply", ["ok", "yes", "1", "👍", "Maria", "Ahmed", "ja", "OK!!", "?"])
def test_short_reply_keeps_the_conversation_language(tier1: LanguageDetector, language: str, reply: str) -> None:
    assert tier1.detect(reply, previous=language).language == language


@pytest.mark.parametrize("previous,text,expected", [
    ("sv", "I am sorry but I do not understand Swedish, can you write in English please", "en"),
    ("en", "No entiendo nada, por favor escríbeme en español, tengo mucho miedo", "es"),
    ("ar", "من فضلك أريد أن أتكلم مع شخص الآن لأنني خائفة جدا", "ar"),
    ("en", "لطفا با من فارسی صحبت کنید، من انگلیسی بلد نیستم", "fa"),
    ("am", "ብትግርኛ ክትዛረቡኒ ትኽእሉ ዶ፧ ኣምሓርኛ ኣይፈልጥን እየ", "ti"),
    ("ro", "Proszę, nie rozumiem po rumuńsku, czy możesz pisać po polsku", "pl"),
])
def test_full_sentence_in_another_language_switches(tier1: LanguageDetector, previous: str, text: str, expected: str) -> None:
    assert tier1.detect(text, previous=previous).language == expected


def test_explicit_choice_wins(tier1: LanguageDetector) -> None:
    found = tier1.detect("I need help, my boss took my passport and I cannot leave", previous="sv", locked=True)
    assert (found.language, found.certain) == ("sv", True)


def test_lock_without_a_language_is_ignored(tier1: LanguageDetector) -> None:
    assert tier1.detect("I need help, my boss took my passport", previous=None, locked=True).language == "en"


def test_unsupported_previous_language_is_no_prior(tier1: LanguageDetector) -> None:
    assert tier1.detect("ok", previous="xx").certain is False


# -- lid.176's blind spots ----------------------------------------------------------
TIGRINYA = [
    "ኣብዚ ከተማ ንኽልተ ዓመት ተቐሚጠ፡ ግን ሕጂ ክሳብ ሕጂ ወረቐት የብለይን",
    "ሓፍተይ ኣብ ዱባይ ትሰርሕ ነይራ፡ ሕጂ ግን ደሃያ ኣይሰማዕናን",
    "እቲ ሓላፊ ንዓና ብዘይ ደሞዝ ክንሰርሕ ይገድደና ኣሎ",
    "ሎሚ ንግሆ ኣብ ዕዳጋ ብዙሓት ሰባት ነይሮም፡ ዋጋ ሽኮር ድማ ወሲኹ",
    "ደቀይ ኣብ ዓዲ ኣለዉ፡ ብዛዕባኦም ብጣዕሚ እሻቐል ኣለኹ",
]
AMHARIC = [
    "በዚህ ከተማ ለሁለት ዓመት ኖሬያለሁ፣ ግን እስካሁን ወረቀት የለኝም",
    "እህቴ በዱባይ ትሠራ ነበር፣ አሁን ግን ስለ እሷ ምንም አልሰማንም",
    "አለቃው ያለ ደመወዝ እንድንሠራ ያስገድደናል",
    "ዛሬ ጠዋት በገበያው ብዙ ሰዎች ነበሩ፣ የስኳር ዋጋም ጨምሯል",
    "ልጆቼ በአገር ቤት ናቸው፣ ስለ እነሱ በጣም እጨነቃለሁ",
]


@pytest.mark.parametrize("text", TIGRINYA)
def test_tigrinya_is_not_amharic(tier1: LanguageDetector, text: str) -> None:
    assert tier1.detect(text).language == "ti"


@pytest.mark.parametrize("text", AMHARIC)
def test_amharic_stays_amharic(tier1: LanguageDetector, text: str) -> None:
    assert tier1.detect(text).language == "am"


@pytest.mark.parametrize("text", [
    "ana 3ayza a7ki ma3 7ad, el madam a5adet el basbor",
    "law sama7t, ana mesh 3aref a3mel eh, 5ayef awi",
    "marhaba, ma fi 7ada ysa3edni hon",
    "wallahi ana ta3ban, badi ru7 3al beit",
])
def test_arabizi_is_arabic(tier1: LanguageDetector, text: str) -> None:
    assert tier1.detect(text).language == "ar"


@pytest.mark.parametrize("text", [
    "salam, man komak mikham, saheb karam pasportamo gerefte",
    "mitarsam, nemidoonam chikar konam, lotfan komakam kon",
    "man inja kar mikonam vali behem pool nemidan",
    "chetori? man khoob nistam, mikham ba ye khanoom harf bezanam",
])
def test_finglish_is_persian(tier1: LanguageDetector, text: str) -> None:
    assert tier1.detect(text).language == "fa"


# Written for these tests, in no training file: languages of other scripts typed in
# Latin letters on a phone without that keyboard. Before their examples trained the
# ``-Latn`` classes, every one of these went to another language.
@pytest.mark.parametrize("text, expected", [
    ("zdravstvuyte, mne nuzhna pomoshch, khozyain zabral moy pasport", "ru"),
    ("ya ne znayu chto delat, mne strashno, pomogite pozhaluysta", "ru"),
    ("dobryi den, meni potribna dopomoha, ya ne mozhu pity z roboty", "uk"),
    ("zdraveite, trjabva mi pomosht, shefut vze pasporta mi", "bg"),
    ("selam, ene ahun bet yelegnim, mn madreg alebign?", "am"),
    ("selam, ane ab sweden aloku, hagez yedliyeni ember", "ti"),
    ("sawasdee ka, chan tong karn kwam chuay leo, nai jang mai jai ngern", "th"),
])
def test_romanised_text_keeps_its_language(tier1: LanguageDetector, text: str, expected: str) -> None:
    assert tier1.detect(text).language == expected


def test_a_line_of_common_english_words_does_not_train_a_romanised_class() -> None:
    assert only_mixed_in_words("shelter please")
    assert only_mixed_in_words("ok thanks")
    assert not only_mixed_in_words("ok chaw")
    assert not only_mixed_in_words("ma bde polis please")


@pytest.mark.parametrize("text", ["мне нужна помощь", "где мой паспорт", "спасибо большое", "я не знаю где я", "помогите мне пожалуйста"])
def test_short_russian_is_russian_not_bulgarian(tier1: LanguageDetector, text: str) -> None:
    assert tier1.detect(text).language == "ru"


@pytest.mark.parametrize("text", ["мені потрібна допомога", "дякую", "де мій паспорт", "їжа", "я не знаю, що робити"])
def test_ukrainian_letters_mean_ukrainian(tier1: LanguageDetector, text: str) -> None:
    assert tier1.detect(text).language == "uk"


@pytest.mark.parametrize("text,expected", [
    ("toi can giup do, chu nha lay ho chieu cua toi", "vi"),
    ("Kailangan ko ng tulong, kinuha ng amo ko ang pasaporte ko", "tl"),
    ("Waxaan u baahanahay caawimaad, shaqada lacag lagama siiyo", "so"),
    ("ฉันต้องการความช่วยเหลือ Passport ของฉันถูกยึด", "th"),
    ("我需要帮助 my passport", "zh"),
])
def test_weak_spots_of_lid176(tier1: LanguageDetector, text: str, expected: str) -> None:
    assert tier1.detect(text).language == expected


# -- never raise ----------------------------------------------------------------------
def _random_text(seed: int) -> str:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(300)).decode("utf-8", errors="replace")


@pytest.mark.parametrize("text", [
    "", " ", "\n\t", "😀😀😀", "🇸🇪🙏", "123 456", "!!!???", "\u200f\u200e\u202b\u202c", "\u200fمرحبا\u200f",
    "x" * 20_000, "مرحبا hello Привет 你好 ሰላም สวัสดี", "a\x00b\x00c", "\ufeff\ufffe", _random_text(1), _random_text(2),
    "https://example.com/a?b=c", "someone@example.com", "\u0301\u0301\u0301",
])
def test_odd_input_never_raises(tier1: LanguageDetector, text: str) -> None:
    for previous in (None, "ar", "sv"):
        found = tier1.detect(text, previous=previous)
        assert found.language in TIER1
        assert 0.0 <= found.confidence <= 1.0
        assert isinstance(found.certain, bool)


def test_no_letters_keeps_the_conversation_language(tier1: LanguageDetector) -> None:
    assert tier1.detect("😀 123", previous="fa").language == "fa"
    found = tier1.detect("😀 123")
    assert found.certain is False


def test_none_is_treated_as_empty(tier1: LanguageDetector) -> None:
    assert tier1.detect(None).certain is False  # type: ignore[arg-type]


# -- the public function and the shipped model ------------------------------------------
def test_public_detect_uses_every_translation() -> None:
    assert get_detector().supported == frozenset(languages())
    found = detect("Hej, jag behöver hjälp")
    assert (found.language, found.certain) == ("sv", True)
    assert 0.0 <= found.confidence <= 1.0


def test_shipped_model_has_the_languages_a_rebuild_would_have() -> None:
    """A rebuild trains one class per language in corpus.LANGUAGES plus one per corpus file."""
    model = get_ngram_model()
    assert model is not None, "run python -m bot.language.train and commit bot/language/data/"
    expected = set(LANGUAGES) | {name for name in corpus_classes() if name.split("-")[0] in LANGUAGES}
    romanised = {name for name in ROMANISED_CLASSES if name.split("-")[0] in LANGUAGES}
    assert set(model.classes) == expected | romanised


def test_every_translation_is_a_language_the_model_learns() -> None:
    missing = set(languages()) - set(LANGUAGES)
    assert not missing, f"add {sorted(missing)} to corpus.LANGUAGES and rebuild the model"


def test_weights_cover_the_model_languages() -> None:
    model = get_ngram_model()
    weights = get_weights()
    assert model is not None
    assert set(weights.bias) == set(model.languages)
    assert weights.ngram > 0 and weights.lid >= 0


def test_model_round_trip(tmp_path) -> None:
    texts = {
        "aa": [("kala mala kala tuki", 1.0)] * 3,
        "bb": [("zorp zeng zorp quax", 1.0)] * 3,
        "aa-Latn": [("k4la m4la", 1.0)],
    }
    model, counts, features = NgramModel.train(texts)
    path = tmp_path / "m.npz"
    model.save(path, counts, features)
    loaded = NgramModel.load(path)
    assert loaded.classes == model.classes
    scores, _ = loaded.log_likelihoods("kala tuki")
    assert set(scores) == {"aa", "bb"}
    assert scores["aa"] > scores["bb"]
    assert loaded.log_likelihoods("zeng")[0]["bb"] > loaded.log_likelihoods("zeng")[0]["aa"]


# -- word frequencies --------------------------------------------------------------------
def test_shipped_word_table_is_present_and_weighted() -> None:
    table = get_word_frequencies()
    assert table is not None, "run python -m bot.language.train and commit bot/language/data/words.npz"
    assert {"sv", "en", "es", "tl", "vi"} <= set(table.languages)
    assert get_weights().words > 0


def test_word_table_reads_frequent_words_and_their_folded_spelling() -> None:
    table = get_word_frequencies()
    assert table is not None
    spanish = table.scores_of_tokens(["gracias"], ["es", "fr", "en"], "Latn")
    assert spanish["es"] > 3.0 > spanish["fr"]
    folded = table.scores_of_tokens(["cam", "on"], ["vi"], "Latn")  # "cảm ơn" typed without diacritics
    assert folded["vi"] > 2.0
    # Arabic's list is in Arabic letters: for Latin text Arabic is not scored at all.
    assert "ar" not in table.scores_of_tokens(["shukran"], ["ar", "en"], "Latn")


def test_word_hash_is_stable_across_processes() -> None:
    # Python's own hash() changes with PYTHONHASHSEED; the shipped table needs a fixed one.
    assert word_hash("hej") == word_hash("hej") != word_hash("Hej")
    import subprocess
    import sys

    other = subprocess.run([sys.executable, "-c", "from bot.language.words import word_hash; print(word_hash('hej'))"],
                           capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": "123", "PATH": "/usr/bin"})
    assert int(other.stdout.split()[-1]) == word_hash("hej")


@pytest.mark.parametrize("word,expected", [
    ("gracias", "es"), ("salamat", "tl"), ("mulțumesc", "ro"), ("köszönöm", "hu"), ("dziękuję", "pl"),
    ("merci", "fr"), ("tack", "sv"), ("спасибо", "ru"), ("дякую", "uk"),
])
def test_single_words(tier1: LanguageDetector, word: str, expected: str) -> None:
    assert tier1.detect(word).language == expected


def test_word_table_round_trip(tmp_path) -> None:
    path = tmp_path / "w.npz"
    hashes = np.array(sorted([word_hash("kala"), word_hash("zorp")]), dtype=np.int64)
    zipf = np.array([[50, 0], [0, 40]] if hashes[0] == word_hash("kala") else [[0, 40], [50, 0]], dtype=np.uint8)
    save_words(path, ["aa", "bb"], hashes, zipf)
    with np.load(path) as data:
        loaded = WordFrequencies([str(x) for x in data["languages"]], data["hashes"], data["zipf"])
    scores = loaded.scores_of_tokens(["kala", "unknown"], ["aa", "bb"], "Latn")
    assert scores == {"aa": 2.5, "bb": 0.0}


def _plain_sum(model: NgramModel, words) -> tuple:
    """The rows of every feature of every word, added up one by one: what any look-up must give."""
    from bot.language.ngram import token_features

    rows = [i for word in words for i in (model.index.get(f) for f in token_features(word)) if i is not None]
    expected = model.logp[rows].astype(np.float64).sum(axis=0) if rows else np.zeros(len(model.classes))
    return expected, len(rows)


SCORED_TEXTS = ("Hej, jag behöver hjälp nu", "ሰላም፡ ሓገዝ የድልየኒ ኣሎ።", "ꙮꙮ hej ꙮ", "toi can giup do toi", "a", "𝐡𝐞𝐥𝐩 мне 𝐧𝐨𝐰")


@pytest.mark.parametrize("text", SCORED_TEXTS)
def test_the_python_look_up_and_its_word_cache_add_the_plain_rows(text: str) -> None:
    """The batched first reading and the per-word cache add up the same rows as a plain sum."""
    from bot.language.ngram import MODEL_FILE, normalize, tokens

    model = NgramModel.load(MODEL_FILE, compiled=False)
    assert not model.compiled
    words = tokens(normalize(text))
    expected, count = _plain_sum(model, words)
    first, first_count = model.class_scores_of_tokens(words)
    again, again_count = model.class_scores_of_tokens(words)
    assert first_count == again_count == count
    assert np.allclose(first, expected, atol=1e-2) and np.allclose(again, first)


def test_the_c_look_up_is_built_where_there_is_a_compiler() -> None:
    """``make install`` builds bot/language/_ngram_table.c; without a C compiler the model
    still works, in Python (the other tests), so only then may it be missing."""
    import shutil

    model = get_ngram_model()
    if not model.compiled and not (shutil.which("cc") or shutil.which("gcc")):
        pytest.skip("no C compiler: the n-gram model uses its Python look-up")
    assert model.compiled, "rebuild with: .venv/bin/python -m pip install --no-deps --no-build-isolation -e ."


@pytest.mark.parametrize("text", SCORED_TEXTS)
def test_the_c_look_up_adds_the_plain_rows(text: str) -> None:
    from bot.language.ngram import normalize, tokens

    model = get_ngram_model()
    if not model.compiled:
        pytest.skip("the C look-up was not built")
    words = tokens(normalize(text))
    expected, count = _plain_sum(model, words)
    scores, found = model.class_scores_of_tokens(words)
    assert found == count and np.allclose(scores, expected, atol=1e-3)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abcdeéšђжاሰላ𝐡'", min_size=1, max_size=24), max_size=12))
def test_the_c_look_up_agrees_with_a_plain_sum_on_any_words(words) -> None:
    """Tokens of any length up to MAX_TOKEN, in any script (astral letters too), repeated or not."""
    model = get_ngram_model()
    if not model.compiled:
        pytest.skip("the C look-up was not built")
    expected, count = _plain_sum(model, words)
    scores, found = model.class_scores_of_tokens(words)
    assert found == count and np.allclose(scores, expected, atol=1e-3)


def test_the_c_table_refuses_bad_input_clearly() -> None:
    table_module = pytest.importorskip("bot.language._ngram_table")
    table = table_module.FeatureTable([" a", "ab", "b ", "\tabcd"], 2, 5, "\t")
    assert len(table) == 4 and table.get("ab") == 1 and table.get("zz") is None
    logp = np.arange(5 * 3, dtype=np.float32).reshape(5, 3)
    out = np.zeros(3, dtype=np.float32)
    assert table.add_scores(["ab"], logp, out) == 3  # " a", "ab", "b "
    assert out.tolist() == (logp[0] + logp[1] + logp[2]).tolist()
    assert table.add_scores([], logp, out) == 0
    with pytest.raises(TypeError):
        table.add_scores([b"ab"], logp, out)
    with pytest.raises(ValueError):
        table.add_scores(["ab"], logp[:2], out)  # fewer rows than features
    with pytest.raises(ValueError):
        table.add_scores(["x" * 5000], logp, out)
    with pytest.raises(ValueError):
        table_module.FeatureTable(["ab", "ab"], 2, 5, "\t")  # one feature twice
    with pytest.raises(RuntimeError):
        table_module.FeatureTable.__new__(table_module.FeatureTable).add_scores(["ab"], logp, out)


# -- lid.176 settles long sentences it is sure of -----------------------------------
class NoNgrams:
    """An n-gram model that must not be read."""

    def __getattr__(self, name: str):
        raise AssertionError(f"the n-gram model was read ({name})")


def _sure_lid(label: str, probability: float):
    asked = []

    def raw(text: str, k: int):
        asked.append(k)
        return {label: probability, "fr" if label == "en" else "en": 1.0 - probability}

    return raw, asked


def test_a_long_sentence_lid176_is_sure_of_skips_the_ngram_model() -> None:
    raw, asked = _sure_lid("pl", 0.97)
    detector = LanguageDetector(TIER1, raw_scores=raw, ngram=NoNgrams())
    found = detector.detect("szef zabrał mi paszport i nie płaci od trzech miesięcy")
    assert found.language == "pl" and found.certain
    assert found.scores["pl"] > 0.95 and asked == [3]


def test_lid176_reads_the_first_words_of_a_long_message_only() -> None:
    read = []

    def raw(text: str, k: int):
        read.append(text)
        return {"pl": 0.99, "en": 0.01}

    detector = LanguageDetector(TIER1, raw_scores=raw, ngram=NoNgrams())
    words = [f"Słowo{n}" for n in range(40)]
    assert detector.detect(" ".join(words)).language == "pl"
    assert read == [" ".join(words[:LID_MAX_WORDS]).lower()]


@pytest.mark.parametrize("text, label, probability", [
    ("szef zabrał mi", "pl", 0.99),  # three words: too short to trust lid.176 alone
    ("szef zabrał mi paszport i nie płaci od trzech miesięcy", "pl", 0.90),  # not sure enough
    ("szef zabrał mi paszport i nie płaci od trzech miesięcy", "de", 0.99),  # sure of a language we do not speak
    ("ሰላም፡ ኣብ ቤት መግቢ እሰርሕ ኣለኹ፡ ወናኒ ስራሕ ፓስፖርተይ ሒዝዎ ኣሎ", "am", 0.99),  # it cannot tell Tigrinya
    ("toi khong co tien va chu giu ho chieu cua toi", "vi", 0.99),  # plain ASCII, not English
    ("ana mesh 3arfa a3mel eh el rajel a5ad el passport", "ar", 0.99),
])
def test_otherwise_the_ngram_model_is_read(text: str, label: str, probability: float) -> None:
    raw, _ = _sure_lid(label, probability)
    detector = LanguageDetector(TIER1, raw_scores=raw, ngram=NoNgrams())
    with pytest.raises(AssertionError, match="n-gram model was read"):
        detector.detect(text)


def test_plain_english_may_take_the_shortcut() -> None:
    raw, _ = _sure_lid("en", 0.99)
    detector = LanguageDetector(TIER1, raw_scores=raw, ngram=NoNgrams())
    assert detector.detect("my boss took my passport and does not pay me").language == "en"


def test_the_shortcut_keeps_the_conversation_prior_rules() -> None:
    """A sure lid.176 answer is text evidence like any other: a long sentence switches."""
    raw, _ = _sure_lid("ro", 0.99)
    detector = LanguageDetector(TIER1, raw_scores=raw, ngram=NoNgrams())
    found = detector.detect("șeful mi-a luat pașaportul și nu mă plătește de trei luni", previous="sv")
    assert (found.language, found.reason) == ("ro", "text")


# -- Tesseract's word lists as training text ---------------------------------------
def test_tesseract_words_without_the_tools_warn_and_give_nothing(monkeypatch, caplog) -> None:
    from bot.language import corpus

    monkeypatch.setattr(corpus.shutil, "which", lambda name: None)
    with caplog.at_level("WARNING", logger="bot.language.corpus"):
        assert corpus.tesseract_words("ti") == []
    assert "tesseract-ocr-tir" in caplog.text
    assert corpus.tesseract_words("sv") == []  # no list is read for other languages


def test_tesseract_words_are_a_fixed_sample_in_the_language_script(monkeypatch, tmp_path) -> None:
    """The word list is cut to ``limit`` the same way on every machine, and other scripts are dropped."""
    from bot.language import corpus

    model = tmp_path / "5" / "tessdata" / "amh.traineddata"
    model.parent.mkdir(parents=True)
    model.write_bytes(b"model")
    words = [f"ሰላም{chr(0x1200 + i)}" for i in range(60)] + ["hello", "ok"]

    def fake_run(command, **kwargs):
        if command[0].endswith("dawg2wordlist"):
            Path(command[-1]).write_text("\n".join(words) + "\n", encoding="utf-8")

    monkeypatch.setattr(corpus.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(corpus.subprocess, "run", fake_run)
    monkeypatch.setattr(corpus, "TESSDATA_ROOT", tmp_path)
    first = corpus.tesseract_words("am", limit=20)
    assert len(first) == 20 and first == corpus.tesseract_words("am", limit=20)
    assert all(word in words[:60] for word in first)
    assert corpus.tesseract_words("am", limit=100) == sorted(words[:60])


@pytest.mark.parametrize("text, expected", [
    ("Hej, jag 123", {"Latn": 6}),
    ("123 !! :)", {}),
    ("", {}),
    ("Hej på dig", {"Latn": 8}),
    ("ok Привет", {"Latn": 2, "Cyrl": 6}),
    ("ሰላም ok", {"Ethi": 3, "Latn": 2}),
])
def test_script_counts(text: str, expected: dict) -> None:
    from bot.language.scripts import script_counts

    assert script_counts(text) == expected


# Mostly Latin (ASCII, Latin-1, Extended, Vietnamese), with the edges and a few other scripts.
_MIXED_LETTERS = (
    [chr(c) for c in range(0x20, 0x250)] + [chr(c) for c in range(0x1E00, 0x1F00)]
    + list("\u0250\u0301\u0308\u0300Привет ሰላም ኣሎኹ። سلام، ไทย 中文，。々〆Ａ ‘’—…")
)


@given(st.text(alphabet=st.sampled_from(_MIXED_LETTERS), max_size=40))
@settings(max_examples=400, deadline=None)
def test_script_counts_fast_paths_count_as_one_letter_at_a_time(text: str) -> None:
    """The shortcuts (plain ASCII, accented Latin) give what classifying each character gives."""
    from bot.language.scripts import script_counts, script_of

    slow: dict = {}
    for char in text:
        script = script_of(char)
        if script:
            slow[script] = slow.get(script, 0) + 1
    assert script_counts(text) == slow


@pytest.mark.parametrize("scripts, letters, expected", [
    ({"Latn": 9, "Ethi": 5}, 14, "Ethi"),  # "ኣብ Stockholm ኣሎኹ": a place name in a Tigrinya line
    ({"Latn": 9, "Cyrl": 8}, 17, "Cyrl"),
    ({"Latn": 18, "Ethi": 5}, 23, "Latn"),  # under SCRIPT_SHARE: a Latin text that quotes a word
    ({"Latn": 20}, 20, "Latn"),
    ({"Cyrl": 10, "Latn": 3}, 13, "Cyrl"),
])
def test_latin_words_in_a_text_in_another_script_do_not_decide_its_script(scripts, letters, expected) -> None:
    from bot.language.detector import main_script_of

    assert main_script_of(scripts, letters) == expected


def test_a_tigrinya_line_with_a_swedish_place_name_is_tigrinya(tier1: LanguageDetector) -> None:
    assert tier1.detect("ኣብ Stockholm ኣሎኹ").language == "ti"
    assert tier1.detect("ኣብ Stockholm ኣሎኹ ሓገዝ").language == "ti"


def test_ict_terms_give_both_geez_languages_the_same_concepts() -> None:
    """tech-mezgeb-qalat is a dependency: its terms reach the model for am and ti alike, in Ge'ez script."""
    from bot.language.corpus import native, term_lines

    amharic, tigrinya = term_lines("am"), term_lines("ti")
    assert len(amharic) > 2000 and len(tigrinya) > 2000
    assert 0.9 < len(amharic) / len(tigrinya) < 1.1
    assert all(native("ti", term) for term in tigrinya) and term_lines("sv") == []


def test_geezswitch_profiles_add_running_text_counts_to_both_geez_languages() -> None:
    """geezswitch is a dependency: its Tigrinya and Amharic n-gram counts reach the model
    as our own features (2- and 3-letter grams in Ge'ez script, words padded with a space)."""
    from bot.language.corpus import WEIGHTS, ngram_counts, profile_counts
    from bot.language.ngram import MIN_ORDER, NgramModel, token_features
    from bot.language.scripts import script_counts

    tigrinya, amharic = profile_counts("ti"), profile_counts("am")
    assert len(tigrinya) > 3000 and len(amharic) > 3000 and profile_counts("sv") == {}
    assert all(MIN_ORDER <= len(gram) <= 3 and script_counts(gram).keys() == {"Ethi"} for gram in tigrinya)
    # "ኣብ" ("in") opens Tigrinya words; Amharic writes that sound አ.
    assert " ኣብ" in token_features("ኣብ") and tigrinya[" ኣብ"] > amharic.get(" ኣብ", 0)
    extra = ngram_counts(("ti", "am", "sv"))
    assert set(extra) == {"ti", "am"} and extra["ti"][" ኣብ"] == WEIGHTS["profiles"] * tigrinya[" ኣብ"]
    # The counts are added to the text's: a class may even have counts and no text.
    model, counts, features = NgramModel.train({"ti": [("ኣብ", 1.0)]}, extra_counts={"ti": {" ኣብ": 2.0}, "am": {"ሰላም": 1.0}})
    assert model.classes == ("am", "ti")
    assert counts[features.index(" ኣብ"), 1] == 3.0 and counts[features.index("ሰላም"), 0] == 1.0
