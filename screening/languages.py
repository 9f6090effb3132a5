"""The language of a record, and the words of a language: detection, Snowball stemming and
stop words (pure Python, no Django).

The seed review searched Danish, Norwegian and Swedish publications beside English ones, so
highlighting and the ranking read those languages' inflections as one word: "ledig",
"ledige" and "ledighed" share the stem "led". Three maintained libraries do the work:

- detection: py3langid (langid.py's model, shipped inside its wheel, numpy only; about
  0.03 ms a record), restricted to the languages reviews here meet, so that a short Danish title
  is not called Faroese;
- stemming: PyStemmer, the Snowball project's own C binding (the Danish, Norwegian, Swedish,
  German and English algorithms);
- stop words: stopwordsiso's lists, used for da, no, sv and de (its English list of 1,298
  words holds content words such as "research" and "system", so English uses none).

A record's own language field (what the export says: "eng", "Danish", "nor") wins over
detection; an unknown or unsupported language leaves the text as it is.
"""

from __future__ import annotations

import re
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
# enough to tell the languages apart, and its cost grows with the text (0.03 ms a record
# here against 0.4 ms for whole abstracts; 100,000 records in 3 s, not 40).
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
    text = (text or "")[:DETECTED_CHARACTERS]
    if sum(character.isalpha() for character in text) < MIN_LETTERS:
        return ""
    code, probability = _identifier().classify(text)
    if probability < MIN_CONFIDENCE:
        return ""
    return "no" if code == "nn" else code


def record_language(language_field: str, title: str, abstract: str = "") -> str:
    """A record's language: its own field if that names a language, else detected from its
    title and abstract."""
    return normalise_language(language_field) or detect_language(f"{title}. {abstract}")


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
