"""Property tests: write generated records, read them back; feed the readers damaged bytes.

The RIS round trip writes with rispy, an independent implementation, so a shared
misunderstanding of the format cannot hide. The fuzz tests hold the promise the
import service relies on: whatever the bytes, parse_file yields records or raises
ParseError, never another exception.
"""

import csv
import io
import textwrap

import pytest
import rispy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from screening.bibrecord import ParsedRecord, normalise_doi
from screening.parsers import FORMATS, ParseError, parse_file
from screening.parsers.fields import page_range, parse_year
from tests.shared_data import shared_data

FUZZ_SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ROUND_TRIP_SETTINGS = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Single-line text as exports hold it: letters (any script), digits, common punctuation,
# single spaces. Leading "[" is excluded: a CSV cell "[...]" reads as a list literal.
_characters = st.characters(
    categories=("L", "N"), include_characters=" .,:'-()?!/", exclude_characters="\ufeff"
)
text = st.text(_characters, min_size=1, max_size=60).map(lambda value: " ".join(value.split()))
text = text.filter(lambda value: value and not value.startswith("["))
# Brackets left open would hide the separator between authors, as for keywords below.
name = st.builds(lambda last, first: f"{last}, {first}", text, text).filter(
    lambda n: not set(n) & set(";()")
)
doi = st.builds(
    lambda prefix, suffix: f"10.{prefix}/{suffix}",
    st.integers(1000, 999999),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789._-/", min_size=1, max_size=20),
).filter(lambda value: value[-1] not in "./" and normalise_doi(value))
record = st.fixed_dictionaries(
    {
        "title": text,
        "abstract": text,
        "authors": st.lists(name, max_size=6),
        "year": st.integers(1000, 2999),
        "journal": text,
        "doi": doi,
        # Brackets left open across keywords would hide the ";" between them, by design;
        # and a lone keyword with a comma reads as two, as a cell has no other separator.
        "keywords": st.lists(text.filter(lambda value: not set(value) & set(";(),")), max_size=5),
    }
)


def _same(parsed: ParsedRecord, expected: dict, *, keywords: bool = True) -> None:
    assert parsed.title == expected["title"]
    assert parsed.abstract == expected["abstract"]
    assert parsed.authors == expected["authors"]
    assert parsed.year == expected["year"]
    assert parsed.journal == expected["journal"]
    assert parsed.doi == normalise_doi(expected["doi"])
    if keywords:
        assert parsed.keywords == expected["keywords"]


@ROUND_TRIP_SETTINGS
@given(records=st.lists(record, min_size=1, max_size=5))
def test_ris_written_by_rispy_reads_back(tmp_path, records):
    entries = [
        {
            "type_of_reference": "JOUR",
            "title": item["title"],
            "abstract": item["abstract"],
            "authors": item["authors"],
            "year": str(item["year"]),
            "journal_name": item["journal"],
            "doi": item["doi"],
            "keywords": item["keywords"],
        }
        for item in records
    ]
    path = tmp_path / "generated.ris"
    path.write_text(rispy.dumps(entries), encoding="utf-8")

    parsed = list(parse_file(path))

    assert len(parsed) == len(records)
    for got, expected in zip(parsed, records, strict=True):
        _same(got, expected)


def _medline(item: dict, pmid: int) -> str:
    def tagged(tag: str, value: str) -> str:
        # MEDLINE wraps long values at about 80 columns, continuing with six spaces.
        lines = textwrap.wrap(value, 70, break_long_words=False, break_on_hyphens=False) or [""]
        return f"{tag:<4}- " + "\n      ".join(lines) + "\n"

    out = tagged("PMID", str(pmid)) + tagged("TI", item["title"]) + tagged("AB", item["abstract"])
    out += "".join(tagged("FAU", author) for author in item["authors"])
    out += tagged("DP", f"{item['year']} Mar 3") + tagged("JT", item["journal"])
    out += tagged("AID", f"{item['doi']} [doi]")
    out += "".join(tagged("OT", keyword) for keyword in item["keywords"])
    return out


@ROUND_TRIP_SETTINGS
@given(records=st.lists(record, min_size=1, max_size=5))
def test_nbib_wrapped_lines_read_back(tmp_path, records):
    path = tmp_path / "generated.nbib"
    path.write_text("\n".join(_medline(item, 1000 + i) for i, item in enumerate(records)), "utf-8")

    parsed = list(parse_file(path))

    assert [got.pmid for got in parsed] == [str(1000 + i) for i in range(len(records))]
    for got, expected in zip(parsed, records, strict=True):
        _same(got, expected)


@ROUND_TRIP_SETTINGS
@given(
    records=st.lists(record, min_size=1, max_size=5), delimiter=st.sampled_from([",", ";", "\t"])
)
def test_csv_written_by_csv_module_reads_back(tmp_path, records, delimiter):
    # A lone "Smith Jones, Anna Maria" could be one author or two; with several authors
    # the ";" between them is unambiguous, so lone authors are left to the unit tests.
    assume(all(len(item["authors"]) != 1 for item in records))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["Title", "Abstract", "Authors", "Year", "Journal", "DOI", "Keywords"])
    for item in records:
        writer.writerow(
            [
                item["title"],
                item["abstract"],
                "; ".join(item["authors"]),
                item["year"],
                item["journal"],
                item["doi"],
                "; ".join(item["keywords"]),
            ]
        )
    path = tmp_path / "generated.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")

    parsed = list(parse_file(path, "csv"))

    assert len(parsed) == len(records)
    for got, expected in zip(parsed, records, strict=True):
        _same(got, expected)


@given(st.text())
def test_normalise_doi_is_idempotent(value):
    once = normalise_doi(value)

    assert normalise_doi(once) == once


@given(
    st.integers(1000, 2999),
    st.sampled_from(["{}", "{}//", "{} Sep", "4-8 Aug. {}", "{}0812", "c{}."]),
)
def test_parse_year_finds_the_year_in_date_forms(year, form):
    assert parse_year(form.format(year)) == year


@given(st.text(max_size=30), st.text(max_size=10))
def test_page_range_is_stable(start, end):
    once = page_range(start, end)

    assert page_range(once) == once


# --- Fuzz: damaged real files -------------------------------------------------------------

_SEEDS = [
    ("asreview-demo", "embase.ris"),
    ("asreview-demo", "ovid_psycinfo.ris"),
    ("asreview-demo", "pubmed.xml"),
    ("asreview-demo", "missing_values.csv"),
    ("biopython", "Medline", "pubmed_result2.txt"),
    ("colrev", "search_sources", "ais_enl.txt"),
    ("colrev", "search_sources", "web_of_science_bib.bib"),
    ("colrev", "loader", "bib_data.bib"),
    ("rispy", "example_wos.ris"),
]


def _seed_bytes(parts: tuple[str, ...]) -> bytes:
    data = shared_data("formats", *parts).read_bytes()
    return data[:6000]  # the start holds the structure; keeps each example fast


@st.composite
def damaged(draw) -> bytes:
    data = bytearray(_seed_bytes(draw(st.sampled_from(_SEEDS))))
    for _ in range(draw(st.integers(1, 6))):
        action = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        if action == "flip" and data:
            data[position] = draw(st.integers(0, 255))
        elif action == "insert":
            data[position:position] = draw(
                st.sampled_from(
                    [
                        b"\n",
                        b"\r",
                        b"\x00",
                        b"{",
                        b"}",
                        b"<",
                        b'"',
                        b"@article{",
                        b"ER  - \n",
                        b"TY  - ",
                    ]
                )
                | st.binary(max_size=8)
            )
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 50))]
        else:
            del data[position:]
    return bytes(data)


def _read_or_parse_error(path, format_code: str = "auto") -> None:
    try:
        for item in parse_file(path, format_code):
            assert isinstance(item, ParsedRecord)
    except ParseError as error:
        assert str(error).startswith(path.name)


@FUZZ_SETTINGS
@given(data=damaged())
def test_damaged_files_yield_records_or_parse_error(tmp_path, data):
    path = tmp_path / "damaged.txt"
    path.write_bytes(data)

    _read_or_parse_error(path)


@FUZZ_SETTINGS
@given(data=damaged(), format_code=st.sampled_from(sorted(FORMATS)))
def test_any_reader_on_any_bytes_yields_records_or_parse_error(tmp_path, data, format_code):
    """A user may pick the wrong format by hand: every reader must fail politely."""
    path = tmp_path / "wrong.txt"
    path.write_bytes(data)

    _read_or_parse_error(path, format_code)


@FUZZ_SETTINGS
@given(data=st.binary(max_size=2000))
def test_random_bytes_yield_records_or_parse_error(tmp_path, data):
    assume(data.strip())
    path = tmp_path / "random.bin"
    path.write_bytes(data)

    _read_or_parse_error(path)


@pytest.mark.parametrize("format_code", sorted(FORMATS))
def test_empty_file_with_forced_format_is_a_parse_error(tmp_path, format_code):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")

    with pytest.raises(ParseError):
        list(parse_file(path, format_code))


# Lines as exports end them (LF, CRLF, CR), with BOMs where pasted files meet.
_line_text = st.text(st.sampled_from("ab é\ufeff-TY"), max_size=12)


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(_line_text, max_size=40),
    end=st.sampled_from(["\n", "\r\n", "\r"]),
    chunk=st.integers(min_value=1, max_value=16),
)
def test_read_lines_numbers_lines_alike_across_chunk_boundaries(lines, end, chunk):
    """The reader splits each chunk's lines at once: wherever a chunk ends (here every 1
    to 16 characters), the lines and their numbers are those of str.splitlines, BOMs
    at the start of a line dropped."""
    import tempfile
    from pathlib import Path

    from screening.parsers import textio

    text = "".join(line + end for line in lines)
    expected = [(number, line.lstrip("\ufeff")) for number, line in enumerate(lines, start=1)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lines.txt"
        path.write_bytes(text.encode("utf-8"))
        default = textio._TEXT_CHUNK
        textio._TEXT_CHUNK = chunk
        try:
            read = list(textio.read_lines(path, "utf-8", "lines.txt"))
            marked = list(textio.read_lines_marked(path, "utf-8", "lines.txt"))
            blocks = [
                line for block in textio.read_line_blocks(path, "utf-8", "x") for line in block
            ]
        finally:
            textio._TEXT_CHUNK = default
    assert read == expected
    assert marked == [(number, line, False) for number, line in expected]
    assert blocks == [line for _, line in expected]
