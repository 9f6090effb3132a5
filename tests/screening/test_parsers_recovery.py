"""BibTeX entries with local damage are read entry by entry (issue 15): an unbalanced
brace is repaired where one repair gives every field the entry names, an entry no repair
reads is skipped, a line between entries is skipped; each with a warning naming the
entry, its line and what was done."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.parsers import ParseError, ParseWarning, parse_file
from screening.parsers.errors import REPAIRED, SKIPPED

SCOPUS_HEAD = "Scopus\nEXPORT DATE: 07 December 2026\n\n"


def scopus_entry(number: int, abstract: str) -> str:
    return (
        f"@ARTICLE{{Author{number}2020,\n"
        f"author = {{Jensen, A. and Smith, B.}},\n"
        f"title = {{Crayfish survey {number}}},\n"
        "journal = {Freshwater Biology},\n"
        "year = {2020},\n"
        f"doi = {{10.1000/fb.{number}}},\n"
        f"abstract = {{{abstract}}},\n"
        "author_keywords = {crayfish; rivers},\n"
        "document_type = {Article},\n"
        "source = {Scopus},\n"
        "}\n\n"
    )


def read(tmp_path, text: str, name: str = "scopus.bib"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    warnings: list[ParseWarning] = []
    records = list(parse_file(path, "bibtex", warnings=warnings))
    return records, warnings


def test_scopus_export_of_1115_entries_with_two_unbalanced_abstracts_reads_every_entry(
    tmp_path,
):
    damaged = {17: 0, 802: 0}
    entries = []
    for number in range(1, 1116):
        abstract = f"Rivers were sampled ({number}). © 2020 Elsevier"
        if number in damaged:
            abstract = (
                "Native White-footed Crayfish {Austropotamobius pallipes complex were "
                "surveyed. © 2020 Elsevier"
            )
        entries.append(scopus_entry(number, abstract))
    text = SCOPUS_HEAD + "".join(entries)
    started = time.perf_counter()

    records, warnings = read(tmp_path, text)

    assert time.perf_counter() - started < 30
    assert len(records) == 1115
    assert [r.doi for r in records] == [f"10.1000/fb.{n}" for n in range(1, 1116)]
    assert [(w.entry, w.action, w.key) for w in warnings] == [
        (17, REPAIRED, "Author172020"),
        (802, REPAIRED, "Author8022020"),
    ]
    first_line = 4 + 16 * 12  # the header's three lines, then twelve lines an entry
    assert warnings[0].line == first_line
    assert str(warnings[0]) == (
        f"scopus.bib, entry 17 (line {first_line}, key Author172020): repaired: "
        "unbalanced brace in abstract: closed at the end of the value"
    )
    repaired = records[16]
    assert repaired.abstract == (
        "Native White-footed Crayfish Austropotamobius pallipes complex were surveyed. "
        "© 2020 Elsevier"
    )
    assert repaired.raw["author_keywords"] == ["crayfish; rivers"]
    assert repaired.raw["document_type"] == ["Article"]
    assert records[17].title == "Crayfish survey 18"


def test_extra_closing_brace_ends_no_entry_early(tmp_path):
    text = scopus_entry(1, "An abstract that closes} too early")

    records, warnings = read(tmp_path, text)

    assert records[0].abstract == "An abstract that closes too early"
    assert records[0].raw["author_keywords"] == ["crayfish; rivers"]
    assert [(w.entry, w.line, w.action) for w in warnings] == [(1, 1, REPAIRED)]
    assert "a stray '}' was left out" in warnings[0].reason


def test_stray_line_between_entries_is_skipped_with_its_line(tmp_path):
    text = scopus_entry(1, "One") + "Page 2 of 40\n" + scopus_entry(2, "Two")

    records, warnings = read(tmp_path, text)

    assert [r.title for r in records] == ["Crayfish survey 1", "Crayfish survey 2"]
    assert [(w.line, w.action) for w in warnings] == [(13, SKIPPED)]
    assert str(warnings[0]) == (
        "scopus.bib, line 13: skipped: a line after entry 1 (Author12020) belongs to no "
        "entry and was left out."
    )


def test_unreadable_entry_is_skipped_with_its_line_and_key(tmp_path):
    broken = "@ARTICLE{Broken1,\ntitle = {Fine},\nnote {x},\n}\n\n"
    text = scopus_entry(1, "One") + broken + scopus_entry(2, "Two")

    records, warnings = read(tmp_path, text)

    assert [r.title for r in records] == ["Crayfish survey 1", "Crayfish survey 2"]
    assert [(w.entry, w.line, w.action, w.key) for w in warnings] == [(2, 13, SKIPPED, "Broken1")]


def test_clean_file_has_no_entry_warnings(tmp_path):
    text = SCOPUS_HEAD + "".join(scopus_entry(n, "Fine {RNA} text") for n in range(1, 4))

    records, warnings = read(tmp_path, text)

    assert len(records) == 3
    assert warnings == []


def test_every_entry_unreadable_is_a_parse_error_naming_the_first(tmp_path):
    with pytest.raises(ParseError) as caught:
        read(tmp_path, "@ARTICLE{k,\ntitle = {Fine},\nnote {x},\n}\n")

    assert "no BibTeX entry could be read: entry 1 (line 1)" in str(caught.value)


_WORDS = st.text(alphabet="abcdef ", min_size=1, max_size=30).map(str.strip).filter(bool)


@settings(max_examples=60, deadline=None)
@given(
    abstracts=st.lists(_WORDS, min_size=1, max_size=8),
    damage=st.data(),
)
def test_one_stray_brace_in_an_abstract_is_repaired_and_other_entries_untouched(
    tmp_path_factory, abstracts, damage
):
    """Property: whichever entry's abstract gets a stray "{" or "}" at whichever word, every
    entry is read, every field kept, and exactly that entry is reported repaired."""
    target = damage.draw(st.integers(0, len(abstracts) - 1))
    brace = damage.draw(st.sampled_from(["{", "}"]))
    words = abstracts[target].split(" ")
    at = damage.draw(st.integers(0, len(words)))
    damaged = " ".join([*words[:at], brace + "x", *words[at:]])
    text = "".join(
        scopus_entry(n + 1, damaged if n == target else abstract)
        for n, abstract in enumerate(abstracts)
    )
    path = tmp_path_factory.mktemp("bib") / "p.bib"
    path.write_text(text, encoding="utf-8")
    warnings: list[ParseWarning] = []

    records = list(parse_file(path, "bibtex", warnings=warnings))

    assert len(records) == len(abstracts)
    assert all(r.raw["author_keywords"] == ["crayfish; rivers"] for r in records)
    assert [(w.entry, w.action) for w in warnings] == [(target + 1, REPAIRED)]
    expected = " ".join([*words[:at], "x", *words[at:]])
    assert records[target].abstract == " ".join(expected.split())


def test_ris_record_without_its_end_line_is_a_repaired_entry(tmp_path):
    path = tmp_path / "lost-er.ris"
    path.write_text("TY  - JOUR\nTI  - First\n\nTY  - JOUR\nTI  - Second\nER  - \n")
    warnings: list[ParseWarning] = []

    records = list(parse_file(path, "ris", warnings=warnings))

    assert [r.title for r in records] == ["First", "Second"]
    assert [(w.entry, w.line, w.action) for w in warnings] == [(1, 1, REPAIRED)]
    assert str(warnings[0]) == (
        "lost-er.ris, entry 1 (line 1): repaired: no 'ER  - ' line before the next record "
        "(line 4): the record was ended there."
    )
