"""Record languages: detection, normalising an export's language field, Snowball stems and
stop words, and their use in highlighting and the ranking's features."""

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening import ranking
from screening.highlight import INFLECTION_CLASS, highlight
from screening.languages import (
    TOGETHER_FROM,
    _classify_together,
    _identifier,
    detect_language,
    detect_languages,
    normalise_language,
    normalised_words,
    record_language,
    record_languages,
    stem,
    stop_words,
)

# Titles and sentences written for these tests in each language, in the field of the seed
# review (employment measures for the unemployed and the sick-listed).
TITLES = {
    "da": [
        "Effekten af virksomhedspraktik og løntilskud for ledige kontanthjælpsmodtagere",
        "Hvordan påvirker hyppige samtaler med jobcentret de lediges overgang til beskæftigelse?",
        "Mentorordninger for unge uden uddannelse: en systematisk forskningsoversigt",
        "Sygedagpengemodtageres tilbagevenden til arbejdsmarkedet efter langvarigt sygefravær",
    ],
    "no": [
        "Arbeidsrettede tiltak for unge uføretrygdede i Norge: en systematisk oversikt",
        "Sysselsetting blant personer med nedsatt arbeidsevne etter avsluttet arbeidspraksis",
        "Hvilke tiltak hjelper langtidsledige tilbake i jobb? Erfaringer fra NAV-kontorene",
        "Oppfølging av sykmeldte arbeidstakere og overgangen til arbeid",
    ],
    "sv": [
        "Effekter av arbetsmarknadspolitiska program för långtidsarbetslösa ungdomar",
        "Sysselsättning bland nyanlända efter etableringsinsatser i kommunerna",
        "Arbetsförmedlingens coachning och övergången från arbetslöshet till arbete",
        "Vilka insatser hjälper sjukskrivna tillbaka till arbetsmarknaden?",
    ],
    "en": [
        "Effects of active labour market programmes on the employment of the long-term unemployed",
        "Caseworker meetings and the transition from unemployment to work: a randomised trial",
    ],
    "de": ["Wirkungen von Eingliederungszuschüssen auf die Beschäftigung von Arbeitslosen"],
}


@pytest.mark.parametrize(
    ("language", "title"), [(code, title) for code, titles in TITLES.items() for title in titles]
)
def test_detects_the_language_of_scandinavian_and_other_titles(language, title):
    assert detect_language(title) == language


def test_detection_answers_unknown_for_too_little_text():
    assert detect_language("") == ""
    assert detect_language("RCT") == ""
    assert detect_language("12345 67890 !!!") == ""


def _seed_report() -> Path:
    path = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_f95581d064fa14f1.txt"
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"seed report not found: {path}")
        pytest.skip(f"seed report not found: {path}")
    return path


def test_the_seed_reports_danish_paragraphs_are_detected_as_danish():
    """Real Danish prose: the seed report's own paragraphs, read in place."""
    text = _seed_report().read_text(encoding="utf-8")
    paragraphs = [p.replace("\n", " ") for p in text.split("\n\n") if len(p) > 400]
    assert len(paragraphs) > 20
    detected = [detect_language(paragraph) for paragraph in paragraphs[:60]]
    assert detected.count("da") / len(detected) >= 0.9


def _shared_texts() -> list[str]:
    """Real titles and abstracts (the labelled screening sets, read in place), the seed
    report's Danish paragraphs, and the Scandinavian titles above: many languages, lengths
    and scripts."""
    import csv

    from tests.shared_data import shared_data

    texts = []
    for path in sorted(shared_data("screening").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle)):
                if number < 400:
                    texts.append(f"{row.get('title') or ''}. {row.get('abstract') or ''}")
    report = _seed_report().read_text(encoding="utf-8")
    texts += [p.replace("\n", " ") for p in report.split("\n\n") if len(p) > 100][:300]
    texts += [title for titles in TITLES.values() for title in titles]
    return texts


def test_detecting_many_texts_together_answers_as_one_by_one():
    texts = _shared_texts()
    assert len(texts) > 1500

    together = detect_languages(texts)

    assert together == [detect_language(text) for text in texts]
    assert {"da", "no", "sv", "en", "de"} <= set(together)


_ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=120)
_TITLE = st.sampled_from([title for titles in TITLES.values() for title in titles])


@given(st.lists(_ANY_TEXT | _TITLE | st.tuples(_TITLE, _ANY_TEXT).map(" ".join), min_size=1))
def test_the_automaton_walked_for_all_texts_at_once_scores_as_py3langid_does(texts):
    # Texts of any characters (empty, digits only, any script, upper case), titles, and
    # titles with anything after them: the walk for all at once reaches py3langid's own
    # answer. Its probabilities are summed in another order, so they agree to about 1e-5;
    # two languages that close can only both be below MIN_CONFIDENCE (0.5).
    identifier = _identifier()

    together = _classify_together(texts)

    for text, (code, probability) in zip(texts, together, strict=True):
        expected_code, expected = identifier.classify(text)
        assert probability == pytest.approx(expected, abs=1e-4)
        assert code == expected_code or max(probability, expected) <= 0.5 + 1e-4


def test_record_languages_take_the_field_first_and_detect_the_rest_together():
    records = [("dan", "Effects of active labour market programmes", "")] + [
        ("", title, "") for titles in TITLES.values() for title in titles
    ] * 3
    assert len(records) > TOGETHER_FROM

    languages = record_languages(records)

    assert languages[0] == "da"
    assert languages == [record_language(*record) for record in records]
    assert languages[1:] == [code for code, titles in TITLES.items() for _t in titles] * 3


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("eng", "en"),
        ("English", "en"),
        ("dan", "da"),
        ("Dansk", "da"),
        ("nor", "no"),
        ("nob", "no"),
        ("Norwegian", "no"),
        ("swe", "sv"),
        ("Swedish; English", "sv"),
        ("ger", "de"),
        ("", ""),
        ("Klingon", ""),
    ],
)
def test_a_language_field_is_normalised_to_iso_639_1(field, code):
    assert normalise_language(field) == code


def test_the_records_own_language_field_wins_over_detection():
    assert record_language("eng", TITLES["da"][0]) == "en"
    assert record_language("", TITLES["da"][0]) == "da"
    assert record_language("Klingon", TITLES["sv"][0]) == "sv"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("da", ["ledige", "ledighed", "ledig"]),
        ("da", ["effekt", "effekten", "effekter"]),
        ("no", ["arbeidsledige", "arbeidsledighet"]),
        ("no", ["tiltak", "tiltakene"]),
        ("sv", ["arbetslösa", "arbetslöshet", "arbetslösheten"]),
        ("sv", ["insatser", "insatserna"]),
        ("de", ["Beschäftigung", "Beschäftigungen"]),
        ("en", ["employment", "employed", "employ"]),
    ],
)
def test_inflections_share_a_snowball_stem(language, words):
    assert len({stem(word.lower(), language) for word in words}) == 1


def test_stop_words_for_the_scandinavian_languages_and_none_for_english():
    assert {"og", "af", "for", "det"} <= stop_words("da")
    assert {"og", "av", "for", "det"} <= stop_words("no")
    assert {"och", "av", "för", "det"} <= stop_words("sv")
    assert {"und", "der", "die"} <= stop_words("de")
    assert stop_words("en") == frozenset()
    assert normalised_words("Effekten af indsatsen for de ledige", "da") == [
        "effek",
        "indsats",
        "led",
    ]


def test_a_keyword_marks_its_inflections_in_the_records_language_shown_as_such():
    text = "Ledighed blandt unge og effekten på ledige kontanthjælpsmodtagere"
    marked = highlight(
        text, include=["ledige"], language="da", inflection_title="form of %(keyword)s"
    )
    # The keyword as written is a plain mark; "Ledighed" is marked as its inflection.
    assert '<mark class="kw-include">ledige</mark>' in marked
    assert (
        f'<mark class="kw-include {INFLECTION_CLASS}" title="form of ledige">Ledighed</mark>'
        in marked
    )


def test_a_phrase_keyword_marks_a_run_of_inflected_words():
    marked = highlight(
        "Jobs searched by the unemployed; job search assistance",
        include=["job search"],
        language="en",
    )
    assert (
        f'class="kw-include {INFLECTION_CLASS}" title="job search">Jobs searched</mark>' in marked
    )
    assert '<mark class="kw-include">job search</mark>' in marked


def test_without_a_language_only_the_keyword_as_written_is_marked():
    marked = highlight("Ledighed og ledige", include=["ledige"])
    assert INFLECTION_CLASS not in marked
    assert marked == 'Ledighed og <mark class="kw-include">ledige</mark>'


def test_an_exclude_keywords_inflection_is_marked_as_exclude():
    marked = highlight("Studier af sygemeldte", exclude=["sygemeldt"], language="da")
    assert f'<mark class="kw-exclude {INFLECTION_CLASS}"' in marked


def test_inflection_marks_are_escaped():
    marked = highlight(
        "<b>ledighed</b>", include=["ledige"], language="da", inflection_title='"%(keyword)s"<'
    )
    assert "<b>" not in marked
    assert 'title="&quot;ledige&quot;&lt;"' in marked


@given(
    text=st.text(max_size=300),
    keywords=st.lists(st.text(max_size=20), max_size=5),
    language=st.sampled_from(["", "da", "no", "sv", "de", "en", "fr"]),
)
def test_highlighting_keeps_the_text_and_never_lets_markup_through(text, keywords, language):
    import html
    import re

    marked = highlight(text, include=keywords, language=language)
    without_marks = re.sub(r"<mark[^>]*>|</mark>", "", marked)
    assert html.unescape(without_marks) == text
    assert "<" not in without_marks


def test_the_ranking_reads_scandinavian_records_as_stems_and_english_as_written():
    danish = ranking.record_text("Effekten af indsatsen for de ledige", "", [], "dan")
    assert danish == "effek indsats led"
    english = ranking.record_text("Effects of active labour market programmes", "", [], "eng")
    assert english == "Effects of active labour market programmes"


def test_scandinavian_inflections_become_one_feature():
    texts = [
        ranking.record_text(title, "", [], language)
        for title, language in [
            ("Arbetslösheten bland ungdomar", "swe"),
            ("Arbetslösa ungdomar", "swe"),
            ("Arbetslöshet och hälsa", "swe"),
        ]
    ]
    features = ranking.text_features(texts)
    # The stem "arbetslös" is in every text: left out by the document-frequency cut (> 95 %),
    # as one term would be; unstemmed, three different words would each stay.
    unstemmed = ranking.text_features(
        ["Arbetslösheten bland ungdomar", "Arbetslösa ungdomar", "Arbetslöshet och hälsa"]
    )
    assert features.shape[1] < unstemmed.shape[1]
