"""The language of a record, and the words of a language: detection, Snowball stemming and
stop words (pure Python, no Django).

The seed review searched Danish, Norwegian and Swedish publications beside English ones, so
highlighting and the ranking read those languages' inflections as one word: "ledig",
"ledige" and "ledighed" share the stem "led". Three maintained libraries do the work:

- detection: py3langid (langid.py's model, shipped inside its wheel, numpy only; about
  0.15 ms a record one by one, 0.02 ms when a stage's records are detected together),
  restricted to the languages reviews here meet, so that a short Danish title is not called
  Faroese;
- stemming: PyStemmer, the Snowball project's own C binding (the Danish, Norwegian, Swedish,
  German and English algorithms);
- stop words: stopwordsiso's lists, used for da, no, sv and de (its English list of 1,298
  words holds content words such as "research" and "system", so English uses none).

A record's own language field (what the export says: "eng", "Danish", "nor") wins over
detection; an unknown or unsupported language leaves the text as it is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache

# The languages with a Snowball stemmer, by ISO 639-1 code.
STEMMERS = {
    "da": "danish",
    "no": "norwegian",
    "sv": "swedish",
    "de": "german",
    "en": "english",
}
# The languages detection chooses among: those above and their near neighbours (so that a
# Dutch or Finnish abstract is not forced into one of them).
DETECTED = ("da", "no", "nn", "sv", "de", "en", "nl", "fr", "es", "it", "pt", "fi", "is", "pl")
# Below this probability, or on fewer letters than this, detection answers "" (unknown).
MIN_CONFIDENCE = 0.5
MIN_LETTERS = 12
# Detection reads the first this many characters (a title and the start of its abstract):
# enough to tell the languages apart, and its cost grows with the text (whole abstracts
# take about ten times as long).
DETECTED_CHARACTERS = 300

# What exports write in a language field, mapped to ISO 639-1 (ISO 639-2/B and /T codes and
# the English and native names, lower case). Anything else: detected from the text.
_NAMES = {
    "da": ("da", "dan", "danish", "dansk"),
    "no": ("no", "nb", "nn", "nor", "nob", "nno", "norwegian", "norsk", "bokmål", "nynorsk"),
    "sv": ("sv", "swe", "swedish", "svenska", "svensk"),
    "de": ("de", "ger", "deu", "german", "deutsch", "tysk"),
    "en": ("en", "eng", "english", "engelsk"),
    "nl": ("nl", "dut", "nld", "dutch"),
    "fr": ("fr", "fre", "fra", "french"),
    "es": ("es", "spa", "spanish"),
    "fi": ("fi", "fin", "finnish"),
}
LANGUAGE_CODES = {name: code for code, names in _NAMES.items() for name in names}

WORD = re.compile(r"\w+")


def normalise_language(value: str) -> str:
    """The ISO 639-1 code a language field names ("" if it names none we know). A field
    listing several ("English; Danish") gives the first."""
    for part in re.split(r"[;,/|]", value or ""):
        code = LANGUAGE_CODES.get(part.strip().lower())
        if code:
            return code
    return ""


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # noqa: PLC0415 -- loading the model takes 0.7 s: only callers that detect pay it

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(DETECTED))
    return identifier


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the text's language ("" when unsure); Nynorsk counts as
    Norwegian."""
    return detect_languages([text])[0]


# From this many texts on, detection walks the model's automaton for all of them at once
# (`_classify_together`); fewer go one by one through py3langid's own `classify`, which is
# faster for a few. Both give the same answers (tests/screening/test_languages.py).
TOGETHER_FROM = 32
TOGETHER_BATCH = 4096  # texts walked together: bounds the memory of their feature counts


def detect_languages(texts: Sequence[str]) -> list[str]:
    """`detect_language` of each text, in order."""
    answers = [""] * len(texts)
    readable = []  # (position, text cut to what detection reads)
    for position, text in enumerate(texts):
        cut = (text or "")[:DETECTED_CHARACTERS]
        if sum(character.isalpha() for character in cut) >= MIN_LETTERS:
            readable.append((position, cut))
    if len(readable) < TOGETHER_FROM:
        identifier = _identifier()
        classified = (identifier.classify(cut) for _position, cut in readable)
    else:
        classified = (
            pair
            for start in range(0, len(readable), TOGETHER_BATCH)
            for pair in _classify_together(
                [cut for _position, cut in readable[start : start + TOGETHER_BATCH]]
            )
        )
    for (position, _cut), (code, probability) in zip(readable, classified, strict=True):
        if probability >= MIN_CONFIDENCE:
            answers[position] = "no" if code == "nn" else code
    return answers


@cache
def _automaton():
    """py3langid's model as numpy arrays: the automaton over UTF-8 bytes whose states name
    the byte n-gram features they complete, and the naive Bayes tables of DETECTED. (Its
    `classify` also folds aliased labels into one, such as "srl" into "sr"; DETECTED has
    none, and the tests compare both ways on real texts.)"""
    import numpy as np  # noqa: PLC0415 -- only callers that detect pay for the model

    identifier = _identifier()
    return {
        # int32 (states, offsets and features are all below 2**31): kept for the worker's
        # lifetime, the transition table is 9.8 million entries.
        "next": np.asarray(identifier.tk_nextmove).astype(np.int32),
        "row_start": np.asarray(identifier.tk_row, dtype=np.int32) << 8,
        "feature": np.asarray(identifier.tk_output, dtype=np.int32),
        "per_class": np.asarray(identifier.nb_ptc, dtype=np.float32),
        "prior": np.asarray(identifier.nb_pc, dtype=np.float32),
        "classes": list(identifier.nb_classes),
    }


def _classify_together(texts: list[str]) -> list[tuple[str, float]]:
    """(language, probability) of each text, as py3langid's `classify` with normalised
    probabilities gives it, computed for all the texts together: one numpy step per byte
    position walks every text's automaton state at once, where `classify` takes a Python
    step per byte of each text (0.15 ms a record: a sixth of computing a large stage's
    features).
    """
    import numpy as np  # noqa: PLC0415 -- only callers that detect pay for the model
    from scipy import sparse  # noqa: PLC0415 -- seconds to import: only batch callers

    model = _automaton()
    encoded = [_model_bytes(text) for text in texts]
    # Longest first, so the texts still being read at a position are a prefix of the rows.
    order = sorted(range(len(encoded)), key=lambda index: -len(encoded[index]))
    lengths = np.array([len(encoded[index]) for index in order], dtype=np.int64)
    width = int(lengths[0]) if len(lengths) else 0
    by_position = np.zeros((width, len(order)), dtype=np.uint8)
    for column, index in enumerate(order):
        data = encoded[index]
        by_position[: len(data), column] = np.frombuffer(data, dtype=np.uint8)
    # How many texts are longer than each position: those still being read there.
    reading = np.searchsorted(-lengths, -np.arange(width), side="left")
    state = np.zeros(len(order), dtype=np.int32)
    rows, features = [], []
    for position in range(width):
        count = int(reading[position])
        moved = model["next"][model["row_start"][state[:count]] + by_position[position, :count]]
        state[:count] = moved
        found = model["feature"][moved]
        hits = np.flatnonzero(found >= 0)
        rows.append(hits)
        features.append(found[hits])
    row_index = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    feature_index = np.concatenate(features) if features else np.zeros(0, dtype=np.int64)
    counts = sparse.csr_matrix(
        (np.ones(len(row_index), dtype=np.float32), (row_index, feature_index)),
        shape=(len(order), len(model["per_class"])),
    )
    counts.sum_duplicates()
    seen = np.diff(counts.indptr) > 0
    counts.data = np.log1p(counts.data)
    scores = np.asarray(counts @ model["per_class"], dtype=np.float32) + model["prior"]
    scores *= (1.0 / np.sqrt(np.maximum(lengths, 1)))[:, None].astype(np.float32)
    scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    scores /= scores.sum(axis=1, keepdims=True)
    best = scores.argmax(axis=1)
    answers: list[tuple[str, float]] = [("", 0.0)] * len(order)
    uniform = 1.0 / len(model["classes"])  # no feature at all: classify's uniform answer
    for row, index in enumerate(order):
        if seen[row]:
            answers[index] = (model["classes"][best[row]], float(scores[row, best[row]]))
        else:
            answers[index] = (model["classes"][0], uniform)
    return answers


def _model_bytes(text: str) -> bytes:
    """The bytes py3langid's model reads of a text (its `_encode`)."""
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")


def record_language(language_field: str, title: str, abstract: str = "") -> str:
    """A record's language: its own field if that names a language, else detected from its
    title and abstract."""
    return normalise_language(language_field) or detect_language(f"{title}. {abstract}")


def record_languages(records: Sequence[tuple[str, str, str]]) -> list[str]:
    """`record_language` of each (language field, title, abstract), in order; detected
    together where the field names none."""
    named = [normalise_language(field) for field, _title, _abstract in records]
    unnamed = [position for position, code in enumerate(named) if not code]
    detected = detect_languages(
        [f"{records[position][1]}. {records[position][2]}" for position in unnamed]
    )
    for position, code in zip(unnamed, detected, strict=True):
        named[position] = code
    return named


@cache
def _stemmer(code: str):
    import Stemmer  # noqa: PLC0415 -- a C extension only stemming callers need

    return Stemmer.Stemmer(STEMMERS[code])


@lru_cache(maxsize=200_000)
def stem(word: str, code: str) -> str:
    """The Snowball stem of a lower-case word in the language; the word itself for a
    language without a stemmer."""
    if code not in STEMMERS:
        return word
    return _stemmer(code).stemWord(word)


@cache
def stop_words(code: str) -> frozenset[str]:
    """The language's stop words (none for English and unsupported languages; see above)."""
    if code not in STEMMERS or code == "en":
        return frozenset()
    import stopwordsiso  # noqa: PLC0415 -- reads its JSON lists on first use

    return frozenset(stopwordsiso.stopwords(code))


def normalised_words(text: str, code: str) -> list[str]:
    """The text's words lower-cased, without stop words, each replaced by its stem."""
    stops = stop_words(code)
    return [stem(word, code) for word in WORD.findall(text.lower()) if word not in stops]
