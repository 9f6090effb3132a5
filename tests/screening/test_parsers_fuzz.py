"""Fuzz every reader (issue 15): whatever the bytes, records or a clean ParseError, fast.

The seeds are small valid files of each format written here, so the test never skips
for want of ../shared/data (test_parsers_properties.py fuzzes the real files). Each
seed is damaged by hypothesis: bytes and lines inserted and deleted, random tags,
deep brace and tag nesting, a line past LINE_LIMIT, NUL bytes, invalid UTF-8 and
Latin-1 bytes. Each damaged file goes through format detection (parse_file "auto")
and through every reader forced on it, as a user may pick the wrong format.

Size: 9 formats x 2 tests x EXAMPLES, plus the random-bytes test; about 3,000 inputs,
each bounded at SECONDS_PER_INPUT, about 30 s in all.
"""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.bibrecord import ParsedRecord
from screening.parsers import FORMATS, ParseError, ParseWarning, parse_file
from screening.parsers.textio import LINE_LIMIT

EXAMPLES = 150
SECONDS_PER_INPUT = 3.0
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # timed below: hypothesis' deadline is flaky on a loaded CI machine
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SEEDS: dict[str, str] = {
    "ris": (
        "TY  - JOUR\nTI  - Første forsøg\nAU  - Sørensen, Å.\nAU  - Smith, J.\n"
        "PY  - 2019\nJO  - Journal\nAB  - An abstract\n  on two lines\nKW  - one\nKW  - two\n"
        "DO  - 10.1000/xyz\nUR  - http://example.org\nER  - \n\n"
        "TY  - BOOK\nTI  - Second\nER  - \n"
    ),
    "nbib": (
        "PMID- 12345\nTI  - A title that wraps\n      onto a second line.\nFAU - Jensen, Ærø\n"
        "DP  - 2020 Mar 3\nJT  - Journal\nAID - 10.1000/abc [doi]\nMH  - Humans\n\n"
        "PMID- 12346\nTI  - Second\n"
    ),
    "enw": (
        "%0 Journal Article\n%T Første titel\n%A Hansen, Ø.\n%D 2018\n%J Journal\n"
        "%K one\ntwo\n%X Abstract\n\n%0 Book\n%T Second\n"
    ),
    "bibtex": (
        "@string{j = {Journal}}\n"
        '@article{key1,\n  title = {M{\\"u}ller and {\\textbf{bold}} S\\o{}ren},\n'
        "  author = {Sørensen, Åse and Smith, John},\n  journal = j,\n  year = {2019},\n"
        "  doi = {10.1000/xyz},\n  abstract = {50\\% of {nested {braces}}},\n}\n\n"
        "@book{key2,\n  title = {Second},\n}\n"
    ),
    "wos": (
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Smith, J\n   Jensen, Æ\n"
        "TI A title\n   continued\nSO JOURNAL\nPY 2019\nDI 10.1000/xyz\nER\n\n"
        "PT J\nTI Second\nER\n\nEF\n"
    ),
    "wos-tab": (
        "PT\tAU\tTI\tSO\tPY\tDI\nJ\tSmith, J; Jensen, Æ\tA title\tJOURNAL\t2019\t10.1000/x\n"
        "J\tDoe, A\tSecond\tJ2\t2020\t\n"
    ),
    "csv": (
        'Title,Authors,Year,Abstract,Keywords\n"Første, titel","Sørensen, Å.; Smith, J.",'
        "2019,\"An abstract\non two lines\",\"['a', 'b']\"\nSecond,\"['Doe, A']\",2020,,\n"
    ),
    "pubmed-xml": (
        '<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n<PubmedArticle>'
        "<MedlineCitation><PMID>1</PMID><Article><Journal><Title>J</Title><JournalIssue>"
        "<Volume>1</Volume><PubDate><Year>2019</Year></PubDate></JournalIssue></Journal>"
        "<ArticleTitle>A <i>title</i> Første</ArticleTitle><Abstract><AbstractText Label='A'>"
        "Text</AbstractText></Abstract><AuthorList><Author><LastName>Smith</LastName>"
        "<ForeName>J</ForeName></Author></AuthorList></Article></MedlineCitation>"
        '<PubmedData><ArticleIdList><ArticleId IdType="doi">10.1000/x</ArticleId>'
        "</ArticleIdList></PubmedData></PubmedArticle>\n<PubmedBookArticle><BookDocument>"
        "<PMID>2</PMID><Book><BookTitle>Second</BookTitle></Book></BookDocument>"
        "</PubmedBookArticle>\n</PubmedArticleSet>\n"
    ),
    "endnote-xml": (
        '<?xml version="1.0" encoding="UTF-8"?>\n<xml><records><record>'
        '<ref-type name="Journal Article">17</ref-type><contributors><authors><author>'
        "<style>Sørensen, Å.</style></author></authors></contributors><titles><title>"
        "<style>A title</style><style> continued</style></title></titles>"
        "<dates><year>2019</year></dates></record>\n<record><titles><title>Second</title>"
        "</titles></record></records></xml>\n"
    ),
}

_TAGS = [
    b"TY  - ",
    b"ER  - ",
    b"UR  - ;",
    b"KW  - ",
    b"PMID- ",
    b"%0 ",
    b"%T ",
    b"PT J",
    b"ER",
    b"EF",
    b"@article{",
    b"@string{x = ",
    b"}",
    b"{",
    b"\\textbf{",
    b'"',
    b"[{[]: 1}]",
    b"<record>",
    b"</record>",
    b"<PubmedArticle>",
    b"<!DOCTYPE x [<!ENTITY e 'eee'>]>",
    b"&e;",
    b"\t",
    b",",
]
_BAD_BYTES = [b"\x00", b"\xff", b"\xc3", b"\xe6\xf8\xe5", b"\xef\xbb\xbf", b"\x80\x81", b"\r"]


def _nesting(draw) -> bytes:
    depth = draw(st.integers(50, 3000))
    opener, closer = draw(
        st.sampled_from([(b"{", b"}"), (b"\\textbf{", b"}"), (b"<i>", b"</i>"), (b"[", b"]")])
    )
    return opener * depth + b"x" + closer * draw(st.sampled_from([0, depth]))


@st.composite
def damaged(draw, seed: str) -> bytes:
    """A seed with 1-8 damages; about one input in twelve gets a line past LINE_LIMIT."""
    data = bytearray(seed.encode("utf-8"))
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, len(data)))
        action = draw(
            st.sampled_from(
                ["bytes", "tag", "bad", "delete", "line", "dropline", "nest", "truncate", "huge"]
            )
        )
        if action == "bytes":
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
        elif action == "tag":
            data[position:position] = draw(st.sampled_from(_TAGS)) + draw(
                st.sampled_from([b"", b"\n", b" value\n"])
            )
        elif action == "bad":
            data[position:position] = draw(st.sampled_from(_BAD_BYTES))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 40))]
        elif action == "line":
            lines = bytes(data).split(b"\n")
            if lines:
                index = draw(st.integers(0, len(lines) - 1))
                lines.insert(index, lines[draw(st.integers(0, len(lines) - 1))])
                data = bytearray(b"\n".join(lines))
        elif action == "dropline":
            lines = bytes(data).split(b"\n")
            if len(lines) > 1:
                del lines[draw(st.integers(0, len(lines) - 1))]
                data = bytearray(b"\n".join(lines))
        elif action == "nest":
            data[position:position] = _nesting(draw)
        elif action == "truncate":
            del data[position:]
        elif action == "huge" and draw(st.integers(0, 1)):
            data[position:position] = draw(st.sampled_from([b"a", b"word ", b"{", b"\xc3\xb8"])) * (
                LINE_LIMIT + draw(st.integers(1, 5000))
            )
    return bytes(data)


def _reads_cleanly(path, format_code: str) -> None:
    warnings: list[ParseWarning] = []
    started = time.perf_counter()
    try:
        for record in parse_file(path, format_code, warnings=warnings):
            assert isinstance(record, ParsedRecord)
    except ParseError as error:
        assert str(error).startswith(f"{path.name}")
        assert error.reason
    elapsed = time.perf_counter() - started
    assert elapsed < SECONDS_PER_INPUT, f"{elapsed:.1f} s for one input"
    for warning in warnings:
        assert isinstance(warning, ParseWarning)
        assert str(warning).startswith(path.name)


@pytest.mark.parametrize("seed_format", sorted(SEEDS))
def test_seeds_are_valid_files_of_their_format(tmp_path, seed_format):
    path = tmp_path / "seed.txt"
    path.write_text(SEEDS[seed_format], encoding="utf-8")

    records = list(parse_file(path, seed_format))

    assert len(records) == 2
    assert records[0].title


def test_every_format_has_a_seed():
    assert set(SEEDS) == set(FORMATS)


@pytest.mark.parametrize("seed_format", sorted(SEEDS))
@FUZZ
@given(data=st.data())
def test_damaged_file_detected_and_read_gives_records_or_parse_error(tmp_path, seed_format, data):
    path = tmp_path / "upload.txt"
    path.write_bytes(data.draw(damaged(SEEDS[seed_format])))

    _reads_cleanly(path, "auto")


@pytest.mark.parametrize("seed_format", sorted(SEEDS))
@FUZZ
@given(data=st.data())
def test_damaged_file_read_by_any_reader_gives_records_or_parse_error(tmp_path, seed_format, data):
    path = tmp_path / "upload.txt"
    path.write_bytes(data.draw(damaged(SEEDS[seed_format])))
    reader = data.draw(st.sampled_from(sorted(FORMATS)))

    _reads_cleanly(path, reader)


@settings(FUZZ, max_examples=300)
@given(data=st.binary(min_size=1, max_size=3000), reader=st.sampled_from(["auto", *FORMATS]))
def test_random_bytes_give_records_or_parse_error(tmp_path, data, reader):
    path = tmp_path / "random.bin"
    path.write_bytes(data)

    _reads_cleanly(path, reader)
