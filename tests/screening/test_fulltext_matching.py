"""The pure full-text rules: the PDF check, zip member names, and matching file names to records
(examples, then properties with hypothesis)."""

import random

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from screening.fulltext import (
    Ambiguity,
    Matcher,
    NameProblem,
    PdfProblem,
    RecordKeys,
    Rule,
    file_stem,
    is_archive_noise,
    member_name_problem,
    pdf_problem,
    words,
)

HAINMUELLER = RecordKeys(
    1,
    doi="10.1016/j.jpubeco.2016.07.001",
    first_author="Hainmueller, Jens",
    year=2016,
    title="Caseworker caseloads and the duration of unemployment",
)
SHORT_DOI = RecordKeys(2, doi="10.1000/1", first_author="Cheung, Maria", year=2017, title="Meet")
LONGER_DOI = RecordKeys(3, doi="10.1000/12", first_author="Behncke, S.", year=2010, title="Match")
NO_DOI = RecordKeys(
    4, first_author="Sørensen, Øjvind", year=2010, title="Ældre ledige et jobcentret"
)
RECORDS = [HAINMUELLER, SHORT_DOI, LONGER_DOI, NO_DOI]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", None),
        (b"%PDF-2.0\n", None),
        (b"", PdfProblem.EMPTY),
        (b"<!DOCTYPE html><html><body>Access denied</body></html>", PdfProblem.HTML),
        (b"\xef\xbb\xbf\r\n  <html lang='en'>", PdfProblem.HTML),
        (b"<?xml version='1.0'?><error/>", PdfProblem.HTML),
        (b"PK\x03\x04 a zip saved as .pdf", PdfProblem.NOT_PDF),
        (b"%PDF-", PdfProblem.NOT_PDF),  # no version: a truncated header
        (b"junk before %PDF-1.4", PdfProblem.NOT_PDF),
    ],
)
def test_pdf_problem_accepts_only_a_pdf_header(head, expected):
    assert pdf_problem(head) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Hainmueller 2016.pdf", None),
        ("10.1000_abc.pdf", None),
        ("papers/Hainmueller 2016.pdf", NameProblem.NESTED),
        ("..\\..\\evil.pdf", NameProblem.NESTED),
        ("../evil.pdf", NameProblem.NESTED),
        ("/etc/passwd", NameProblem.ABSOLUTE),
        ("C:\\Users\\x.pdf", NameProblem.ABSOLUTE),
        ("   ", NameProblem.EMPTY),
        ("..", NameProblem.EMPTY),
    ],
)
def test_member_name_problem_refuses_folders_and_absolute_names(name, expected):
    assert member_name_problem(name) == expected


@pytest.mark.parametrize(
    ("name", "noise"),
    [
        ("papers/", True),
        ("__MACOSX/._a.pdf", True),
        (".DS_Store", True),
        ("._Hainmueller.pdf", True),
        ("Hainmueller.pdf", False),
        ("papers/Hainmueller.pdf", False),
    ],
)
def test_is_archive_noise_skips_folders_and_os_metadata(name, noise):
    assert is_archive_noise(name) is noise


def test_words_fold_case_accents_and_nordic_letters():
    assert words("Müller-Sørensen, Æble_Å 10.1000/X") == [
        "muller",
        "sorensen",
        "aeble",
        "a",
        "10",
        "1000",
        "x",
    ]


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("a/b/10.1000_ab.c.pdf", "10.1000_ab.c"),
        ("10.1000_ab.c", "10.1000_ab.c"),  # the last dot is the DOI's own
        ("Paper.PDF", "Paper"),
        ("10.1000%2Fabc.pdf", "10.1000/abc"),
    ],
)
def test_file_stem_drops_only_the_pdf_extension(name, stem):
    assert file_stem(name) == stem


@pytest.mark.parametrize(
    ("name", "rule", "record_ids"),
    [
        ("10.1016_j.jpubeco.2016.07.001.pdf", Rule.DOI, (1,)),
        ("10.1016-j.jpubeco.2016.07.001.pdf", Rule.DOI, (1,)),
        ("Hainmueller 2016 10.1016%2Fj.jpubeco.2016.07.001.pdf", Rule.DOI, (1,)),
        ("10_1016_J_JPUBECO_2016_07_001.PDF", Rule.DOI, (1,)),
        # "10.1000/1" is not found inside "10.1000/12": runs are compared whole.
        ("10.1000_12.pdf", Rule.DOI, (3,)),
        ("10.1000_1.pdf", Rule.DOI, (2,)),
        ("record-4.pdf", Rule.RECORD_KEY, (4,)),
        ("Record_4.PDF", Rule.RECORD_KEY, (4,)),
        (
            "Hainmueller et al. - 2016 - Caseworker caseloads and the.pdf",
            Rule.AUTHOR_YEAR_TITLE,
            (1,),
        ),
        (
            "hainmueller_2016_caseworker_caseloads_and_the_duration.pdf",
            Rule.AUTHOR_YEAR_TITLE,
            (1,),
        ),
        ("Sorensen 2010 Aeldre ledige et.pdf", Rule.AUTHOR_YEAR_TITLE, (4,)),
        ("Sørensen - 2010 - Ældre ledige et jobcentret.pdf", Rule.AUTHOR_YEAR_TITLE, (4,)),
    ],
)
def test_candidates_follow_the_rules_in_order(name, rule, record_ids):
    assert Matcher(RECORDS).candidates(name) == (rule, record_ids)


@pytest.mark.parametrize(
    "name",
    [
        "Hainmueller 2016.pdf",  # no title words
        "Hainmueller 2016 Caseworker.pdf",  # fewer than three title words
        "Hainmueller 2017 Caseworker caseloads and.pdf",  # wrong year
        "Hainmueller 2016 Caseworker caseloads or.pdf",  # not the title's start
        "Caseworker caseloads and the duration of unemployment.pdf",  # title alone
        "record-99.pdf",  # no such record
        "4.pdf",  # a bare number could be anything (a PMID, a page)
        "scan0001.pdf",
    ],
)
def test_candidates_do_not_guess(name):
    assert Matcher(RECORDS).candidates(name) == (None, ())


def test_match_reports_a_name_that_fits_several_records_as_ambiguous():
    twin = RecordKeys(5, doi="10.1016/J.JPUBECO.2016.07.001")
    result = Matcher([*RECORDS, twin]).match(["10.1016_j.jpubeco.2016.07.001.pdf"])
    assert result.matched == []
    assert [(a.name, a.record_ids, a.reason) for a in result.ambiguous] == [
        ("10.1016_j.jpubeco.2016.07.001.pdf", (1, 5), Ambiguity.SEVERAL_RECORDS)
    ]


def test_match_reports_several_files_for_one_record_and_keeps_the_rest():
    names = ["record-4.pdf", "Sorensen 2010 Aeldre ledige et.pdf", "10.1000_12.pdf", "x.pdf"]
    result = Matcher(RECORDS).match(names)
    assert [(m.name, m.record_id, m.rule) for m in result.matched] == [
        ("10.1000_12.pdf", 3, Rule.DOI)
    ]
    assert sorted((a.name, a.record_ids, a.reason) for a in result.ambiguous) == [
        ("Sorensen 2010 Aeldre ledige et.pdf", (4,), Ambiguity.SEVERAL_FILES),
        ("record-4.pdf", (4,), Ambiguity.SEVERAL_FILES),
    ]
    assert result.unmatched == ["x.pdf"]


def test_a_doi_in_the_name_decides_even_when_the_author_rule_would_name_another_record():
    # The DOI is the stronger evidence: the name is not ambiguous between the two rules.
    name = "Hainmueller 2016 Caseworker caseloads and 10.1000_12.pdf"
    assert Matcher(RECORDS).candidates(name) == (Rule.DOI, (3,))


# Properties ----------------------------------------------------------------------------------

suffix_text = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-_()", min_size=1, max_size=20)
dois = st.builds(
    lambda registrant, suffix: f"10.{registrant}/{suffix}",
    st.integers(1000, 99999),
    suffix_text.filter(lambda s: any(c.isalnum() for c in s)),
)
separators = st.sampled_from(["_", "-", "%2F", " ", "__", "+"])
decorations = st.sampled_from(["", "Hainmueller 2016 ", "fulltext-", "Smith et al - "])


def _run_in(haystack, needle):
    return any(
        haystack[i : i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1)
    )


@st.composite
def record_sets(draw):
    doi_list = draw(st.lists(dois, min_size=1, max_size=6, unique_by=lambda d: tuple(words(d))))
    return [RecordKeys(index + 1, doi=doi) for index, doi in enumerate(doi_list)]


@given(record_sets(), st.data(), separators, decorations)
def test_a_doi_written_with_any_separator_finds_its_record(records, data, separator, prefix):
    target = data.draw(st.sampled_from(records))
    name = (
        prefix + target.doi.replace("/", separator) + data.draw(st.sampled_from([".pdf", ".PDF"]))
    )
    name_words = words(file_stem(name))
    fitting = sorted(r.record_id for r in records if _run_in(name_words, words(r.doi)))
    rule, found = Matcher(records).candidates(name)
    assert target.record_id in found
    assert (rule, found) == (Rule.DOI, tuple(fitting))


@given(record_sets(), st.data())
def test_case_and_separators_do_not_change_the_match(records, data):
    target = data.draw(st.sampled_from(records))
    plain = target.doi.replace("/", "_") + ".pdf"
    shouted = target.doi.upper().replace("/", "-").replace(".", "_") + ".pdf"
    matcher = Matcher(records)
    assert matcher.candidates(plain) == matcher.candidates(shouted)


names = st.one_of(
    st.text(max_size=40),
    st.builds(lambda n: f"record-{n}.pdf", st.integers(0, 12)),
    dois.map(lambda d: d.replace("/", "_") + ".pdf"),
)


@given(record_sets(), st.lists(names, max_size=12), st.randoms())
def test_every_name_lands_in_exactly_one_pile_whatever_the_order(records, file_names, rng):
    matcher = Matcher(records)
    result = matcher.match(file_names)
    piles = (
        [m.name for m in result.matched]
        + [a.name for a in result.ambiguous]
        + list(result.unmatched)
    )
    assert sorted(piles) == sorted(file_names)
    # A record gets one file at most, and only a file that names it.
    matched_records = [m.record_id for m in result.matched]
    assert len(matched_records) == len(set(matched_records))
    for match in result.matched:
        assert matcher.candidates(match.name) == (match.rule, (match.record_id,))
    # Ambiguity is never resolved by guessing: it lists every record the name fits.
    for entry in result.ambiguous:
        if entry.reason == Ambiguity.SEVERAL_RECORDS:
            assert len(entry.record_ids) > 1
        else:
            assert sum(1 for a in result.ambiguous if a.record_ids == entry.record_ids) > 1
    shuffled = list(file_names)
    rng.shuffle(shuffled)
    again = matcher.match(shuffled)
    assert sorted((m.name, m.record_id) for m in again.matched) == sorted(
        (m.name, m.record_id) for m in result.matched
    )


@given(st.integers(1, 10_000), st.sampled_from(["record-{}", "Record_{}", "RECORD {}", "record{}"]))
def test_the_record_key_finds_its_record_in_any_spelling(record_id, pattern):
    records = [RecordKeys(record_id), RecordKeys(record_id + 1)]
    name = pattern.format(record_id) + ".pdf"
    expected = (Rule.RECORD_KEY, (record_id,)) if pattern != "record{}" else (None, ())
    assert Matcher(records).candidates(name) == expected


@given(st.binary(max_size=64))
def test_pdf_problem_is_none_exactly_for_a_pdf_header(tail):
    assert pdf_problem(b"%PDF-1." + tail) is None
    assume(not tail.startswith(b"%PDF-"))
    assert pdf_problem(b"<html>" + tail) == PdfProblem.HTML


@given(st.text(max_size=30), st.text(max_size=30))
def test_a_name_with_a_folder_is_never_accepted(folder, base):
    assert member_name_problem(f"{folder}/{base}") is not None
    assert member_name_problem(f"{folder}\\{base}") is not None


def test_matching_is_stable_for_a_realistic_set():
    rng = random.Random(4)
    names = [
        "10.1016_j.jpubeco.2016.07.001.pdf",
        "record-4.pdf",
        "10.1000_1.pdf",
        "unrelated.pdf",
        "10.1000_12.pdf",
    ]
    rng.shuffle(names)
    result = Matcher(RECORDS).match(names)
    assert sorted((m.record_id, m.rule) for m in result.matched) == [
        (1, Rule.DOI),
        (2, Rule.DOI),
        (3, Rule.DOI),
        (4, Rule.RECORD_KEY),
    ]
    assert result.unmatched == ["unrelated.pdf"]
