"""The importers on hostile and damaged files (issue 15): every import fails cleanly or
succeeds, and a repair is reported as a ParseWarning naming the line, never silent.

Each test's input is the smallest file that showed the bug; the docstring says what
happened before the fix.
"""

import time

import pytest

from screening.parsers import FIELD_LIMIT, ParseError, ParseWarning, parse_file
from screening.parsers.errors import WARNINGS_LISTED
from screening.parsers.fields import RawFields
from screening.parsers.textio import LINE_LIMIT


def write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def read(path, format_code: str = "auto", **options):
    warnings: list[ParseWarning] = []
    records = list(parse_file(path, format_code, warnings=warnings, **options))
    return records, warnings


# --- Crashes on values ------------------------------------------------------------------


@pytest.mark.parametrize("value", [";", " ; ", ";;", "; http://x.org/a"])
def test_ris_url_without_link_before_a_semicolon_is_no_crash(tmp_path, value):
    """Before: IndexError in ris_record (urls[0].split(";")[0].split()[0])."""
    path = write(tmp_path, "a.ris", f"TY  - JOUR\nTI  - Title\nUR  - {value}\nER  - \n")

    records, _ = read(path)

    assert records[0].title == "Title"
    assert records[0].url == ("http://x.org/a" if "http" in value else "")
    assert records[0].raw["UR"] == [value.strip()]


@pytest.mark.parametrize("cell", ["[{[]: 1}]", "[{{}: 1}]", "[" * 300 + "]" * 300, "[1, 2]"])
def test_csv_cell_that_breaks_literal_eval_is_kept_as_text(tmp_path, cell):
    """Before: TypeError (unhashable type: 'list') from ast.literal_eval."""
    path = write(tmp_path, "a.csv", f'Title,Authors,Keywords\nA title,"{cell}","{cell}"\n')

    records, _ = read(path)

    assert records[0].title == "A title"
    assert records[0].authors == [cell]


def test_csv_list_literal_still_splits_authors(tmp_path):
    path = write(tmp_path, "a.csv", "Title,Authors\nT,\"['Marx, Karl', 'Lindgren, Astrid']\"\n")

    records, _ = read(path)

    assert records[0].authors == ["Marx, Karl", "Lindgren, Astrid"]


@pytest.mark.parametrize("field", ["title", "author", "journal"])
def test_bibtex_deeply_nested_latex_is_plain_text_with_a_warning(tmp_path, field):
    """Before: RecursionError from pylatexenc (2,000 nested \\textbf{)."""
    nested = "\\textbf{" * 2000 + "Deep" + "}" * 2000
    path = write(tmp_path, "a.bib", f"@article{{key,\n  {field} = {{{nested}}},\n}}\n")

    records, warnings = read(path)

    record = records[0]
    assert {"title": record.title, "author": " ".join(record.authors), "journal": record.journal}[
        field
    ] == "Deep"
    assert [(w.line, w.field) for w in warnings] == [(1, field)]
    assert "nested deeper than" in warnings[0].reason
    assert str(warnings[0]).startswith("a.bib, line 1, field " + field)


def test_bibtex_latex_still_decoded_when_shallow(tmp_path):
    path = write(
        tmp_path, "a.bib", '@article{k,\n title = {M{\\"u}ller \\textbf{and} S\\o{}rensen},\n}\n'
    )

    records, warnings = read(path)

    assert records[0].title == "Müller and Sørensen"
    assert warnings == []


def test_bibtex_long_latex_value_is_not_given_to_pylatexenc(tmp_path):
    """Before: 20 s for a 1 MB abstract with backslashes (pylatexenc is ~linear but slow)."""
    abstract = "Some \\emph{text} with \\'e accents. " * 20_000
    path = write(
        tmp_path, "a.bib", f"@article{{k,\n title = {{T}},\n abstract = {{{abstract}}},\n}}\n"
    )

    started = time.perf_counter()
    records, warnings = read(path)

    assert time.perf_counter() - started < 5
    assert records[0].abstract.startswith("Some text with e accents.")
    assert [(w.line, w.field) for w in warnings] == [(1, "abstract")]


def test_bibtex_entry_that_never_closes_is_a_parse_error_not_the_whole_file(tmp_path):
    """An unclosed brace swallowed every later line into one piece held in memory."""
    body = "word " * 20 + "\n"
    path = write(tmp_path, "a.bib", "@article{k,\n title = {open\n" + body * 200_000)

    with pytest.raises(ParseError) as caught:
        read(path)

    assert "runs on for more than" in caught.value.reason
    assert caught.value.line is not None


def test_bibtex_text_before_first_entry_is_skipped(tmp_path):
    path = write(tmp_path, "a.bib", "junk line\n" * 1000 + "@article{k,\n title = {T},\n}\n")

    records, _ = read(path, "bibtex")

    assert [r.title for r in records] == ["T"]
    assert records[0].line == 1001


# --- XML: entities and nesting ------------------------------------------------------------

_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


@pytest.mark.parametrize(
    ("format_code", "body"),
    [
        (
            "pubmed-xml",
            "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
            "<ArticleTitle>&lol9;</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
            "</PubmedArticleSet>",
        ),
        (
            "endnote-xml",
            "<xml><records><record><titles><title>&lol9;</title></titles></record></records></xml>",
        ),
    ],
)
def test_xml_entity_expansion_is_not_performed(tmp_path, format_code, body):
    """Billion laughs: entities are neither expanded nor loaded (resolve_entities=False)."""
    path = write(tmp_path, "a.xml", _LAUGHS + body)

    started = time.perf_counter()
    try:
        records, _ = read(path, format_code)
    except ParseError:
        records = []

    assert time.perf_counter() - started < 2
    assert all(len(record.title) < 1000 for record in records)


def test_xml_external_entity_does_not_read_server_files(tmp_path):
    secret = write(tmp_path, "secret.txt", "TOP SECRET")
    path = write(
        tmp_path,
        "a.xml",
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<xml><records><record><titles><title>A &xxe; B</title></titles></record></records></xml>",
    )

    try:
        records, _ = read(path, "endnote-xml")
    except ParseError:
        records = []

    assert all("SECRET" not in str(record.raw) for record in records)


@pytest.mark.parametrize("format_code", ["pubmed-xml", "endnote-xml"])
def test_xml_deep_nesting_is_a_parse_error(tmp_path, format_code):
    record = "PubmedArticle" if format_code == "pubmed-xml" else "record"
    deep = "<i>" * 5000 + "x" + "</i>" * 5000
    path = write(tmp_path, "a.xml", f"<xml><records><{record}>{deep}</{record}></records></xml>")

    with pytest.raises(ParseError) as caught:
        read(path, format_code)

    assert caught.value.line == 1


# --- Truncated files ------------------------------------------------------------------------


def test_ris_cut_mid_record_imports_it_with_a_warning(tmp_path):
    """Before: the partial last record was imported without a word."""
    path = write(
        tmp_path,
        "cut.ris",
        "TY  - JOUR\nTI  - Whole\nER  - \n\nTY  - JOUR\nTI  - Partial\nAB  - The abstract is cu",
    )

    records, warnings = read(path)

    assert [r.title for r in records] == ["Whole", "Partial"]
    assert [w.line for w in warnings] == [5]
    assert "no 'ER  - ' line" in warnings[0].reason
    assert str(warnings[0]).startswith("cut.ris, line 5: the last record (from line 5)")


def test_ris_complete_file_has_no_warning(tmp_path):
    path = write(tmp_path, "a.ris", "TY  - JOUR\nTI  - Whole\nER  - \n")

    _, warnings = read(path)

    assert warnings == []


def test_wos_cut_mid_record_imports_it_with_a_warning(tmp_path):
    path = write(
        tmp_path,
        "savedrecs.txt",
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI Whole\nER\n\nPT J\nTI Partial\n",
    )

    records, warnings = read(path, "wos")

    assert [r.title for r in records] == ["Whole", "Partial"]
    assert [w.line for w in warnings] == [7]


# --- Mixed encodings ------------------------------------------------------------------------

_DANISH = ["Første forsøg på Ærø", "Blåbærgrød i Århus", "Søren Kierkegaard og æblet"]


def _mixed_ris() -> tuple[bytes, list[int]]:
    """Three records; the second's title line is Windows-1252, the rest UTF-8."""
    data = b""
    latin_lines = []
    line = 1
    for index, title in enumerate(_DANISH):
        encoding = "cp1252" if index == 1 else "utf-8"
        data += b"TY  - JOUR\n" + f"TI  - {title}\n".encode(encoding) + b"ER  - \n"
        if index == 1:
            latin_lines.append(line + 1)
        line += 3
    return data, latin_lines


def test_mixed_utf8_and_latin1_lines_read_right_with_a_warning(tmp_path):
    """Before: the whole file read as cp1252, 'FÃ¸rste' for every UTF-8 line, no word."""
    data, latin_lines = _mixed_ris()
    path = write(tmp_path, "mixed.ris", data)

    records, warnings = read(path)

    assert [r.title for r in records] == _DANISH
    assert len(warnings) == 1
    assert warnings[0].line == latin_lines[0] == 5
    assert "lines 5 are not UTF-8" in warnings[0].reason
    assert "Windows-1252" in warnings[0].reason


def test_mixed_encodings_csv(tmp_path):
    data = b"Title,Authors\n" + "Første,Ærø A\n".encode()
    data += "Blåbær,Århus B\n".encode("cp1252") + "Søren,Æble C\n".encode()
    path = write(tmp_path, "mixed.csv", data)

    records, warnings = read(path)

    assert [(r.title, r.authors) for r in records] == [
        ("Første", ["Ærø A"]),
        ("Blåbær", ["Århus B"]),
        ("Søren", ["Æble C"]),
    ]
    assert [w.line for w in warnings] == [3]


def test_mixed_encoding_warning_lists_lines_and_counts_the_rest(tmp_path):
    lines = []
    for index in range(60):
        lines.append(b"TY  - JOUR")
        title = f"TI  - Første nr {index}"
        lines.append(title.encode("cp1252" if index % 2 else "utf-8"))
        lines.append(b"ER  - ")
    path = write(tmp_path, "mixed.ris", b"\n".join(lines) + b"\n")

    records, warnings = read(path)

    assert all(r.title.startswith("Første nr") for r in records)
    assert len(warnings) == 1
    assert "lines 5, 11, 17," in warnings[0].reason
    assert "and 10 more" in warnings[0].reason


def test_all_cp1252_file_reads_right_without_warning(tmp_path):
    text = "".join(f"TY  - JOUR\nTI  - {title}\nER  - \n" for title in _DANISH)
    path = write(tmp_path, "old.ris", text.encode("cp1252"))

    records, warnings = read(path)

    assert [r.title for r in records] == _DANISH
    assert warnings == []


def test_chosen_encoding_is_not_second_guessed(tmp_path):
    data, _ = _mixed_ris()
    path = write(tmp_path, "mixed.ris", data)

    with pytest.raises(ParseError) as caught:
        read(path, encoding="utf-8")

    assert "not valid utf-8" in caught.value.reason


def test_mixed_encodings_with_cr_only_line_ends(tmp_path):
    data, _ = _mixed_ris()
    path = write(tmp_path, "mac.ris", data.replace(b"\n", b"\r"))

    records, warnings = read(path)

    assert [r.title for r in records] == _DANISH
    assert [w.line for w in warnings] == [5]


# --- Sizes ---------------------------------------------------------------------------------


def test_ris_value_over_the_limit_is_cut_with_a_warning(tmp_path):
    huge = "word " * (FIELD_LIMIT // 2)  # 2.5 M characters on one line
    path = write(
        tmp_path,
        "big.ris",
        f"TY  - JOUR\nTI  - First\nAB  - {huge}\nER  - \nTY  - JOUR\nTI  - Second\nER  - \n",
    )

    records, warnings = read(path)

    assert [r.title for r in records] == ["First", "Second"]
    assert len(records[0].raw["AB"][0]) == FIELD_LIMIT
    assert [(w.line, w.field) for w in warnings] == [(3, "AB")]
    assert "the record starting at line 1" in warnings[0].reason


def test_ris_value_over_the_limit_in_continuation_lines(tmp_path):
    """Many short continuation lines: cut at the limit, and no quadratic joining."""
    path = write(
        tmp_path, "long.ris", "TY  - JOUR\nTI  - T\nAB  - a\n" + "x\n" * 600_000 + "ER  - \n"
    )

    started = time.perf_counter()
    records, warnings = read(path)

    assert time.perf_counter() - started < 10
    assert len(records[0].abstract) <= FIELD_LIMIT
    assert records[0].abstract.startswith("a\nx\nx")
    assert [w.field for w in warnings] == ["AB"]


def test_record_with_too_many_values_is_cut_with_one_warning(tmp_path):
    path = write(tmp_path, "kw.ris", "TY  - JOUR\nTI  - T\n" + "KW  - k\n" * 60_000 + "ER  - \n")

    records, warnings = read(path)

    assert records[0].title == "T"
    assert len(records[0].keywords) < 60_000
    assert len(warnings) == 1
    assert "more than 50,000 values" in warnings[0].reason


@pytest.mark.parametrize(
    ("name", "template"),
    [
        ("a.nbib", "PMID- 1\nTI  - {}\n"),
        ("a.enw", "%0 Journal Article\n%T {}\n"),
        ("a.txt", "PT J\nTI {}\nER\n"),
    ],
)
def test_other_tagged_formats_cut_long_values(tmp_path, name, template):
    path = write(tmp_path, name, template.format("t" * (LINE_LIMIT + 10)))
    format_code = {"a.nbib": "nbib", "a.enw": "enw", "a.txt": "wos"}[name]

    records, warnings = read(path, format_code)

    assert len(records[0].title) == FIELD_LIMIT
    assert [w.line for w in warnings] == [2]


def test_csv_cell_over_the_limit_is_cut_with_a_warning(tmp_path):
    cell = "a line of a very long cell\n" * (FIELD_LIMIT // 20)
    path = write(tmp_path, "a.csv", f'Title,Abstract\nT,"{cell}"\nSecond,b\n')

    records, warnings = read(path)

    assert records[0].title == "T"
    assert len(records[0].raw["Abstract"][0]) == FIELD_LIMIT
    assert [(w.line, w.field) for w in warnings] == [(2, "Abstract")]
    assert records[1].title == "Second"


def test_csv_line_over_the_line_limit_is_a_parse_error(tmp_path):
    path = write(tmp_path, "a.csv", "Title,Abstract\nT," + "a" * (LINE_LIMIT + 1) + "\n")

    with pytest.raises(ParseError) as caught:
        read(path)

    assert caught.value.line == 2


def test_warnings_are_capped_per_file():
    warnings: list[ParseWarning] = []
    huge = "a" * (FIELD_LIMIT + 1)

    for number in range(WARNINGS_LISTED + 20):
        RawFields("many.ris", number, warnings).add("TI", huge, number)

    assert len(warnings) == WARNINGS_LISTED + 1
    assert "more warnings" in warnings[-1].reason


def test_parse_warning_reads_like_a_parse_error():
    warning = ParseWarning("a.ris", "cut", line=3, field="AB")

    assert str(warning) == str(ParseError("a.ris", "cut", line=3, field="AB"))


def test_bibtex_value_on_a_line_over_the_limit_is_cut_and_its_entry_kept(tmp_path):
    """Before: the cut line lost the braces closing the value and the entry, so entry 1
    was skipped as "Unexpectedly reached end of file", which named no cause."""
    huge = "word " * (LINE_LIMIT // 4)
    path = write(
        tmp_path,
        "big.bib",
        "@article{a1,\n  title = {First},\n  year = {2016},\n"
        f"  abstract = {{{huge}}}\n}}\n@article{{a2,\n  title = {{Second}}\n}}\n",
    )

    records, warnings = read(path)

    assert [r.title for r in records] == ["First", "Second"]
    assert records[0].year == 2016
    assert len(records[0].abstract) == FIELD_LIMIT
    cut = warnings[0]
    assert (cut.line, cut.entry, cut.action) == (4, 1, "repaired")
    assert f"longer than {LINE_LIMIT:,} characters" in cut.reason


def test_pubmed_xml_with_a_huge_line_after_its_declaration_is_still_recognised(tmp_path):
    """Before: detection dropped the sample's cut second line, kept only the declaration, and
    called the file "neither a PubMed nor an EndNote export"; then libxml2's limit showed
    as "the XML is broken"."""
    huge = "word " * 2_100_000  # over libxml2's 10,000,000 characters in one text node
    path = write(
        tmp_path,
        "big.xml",
        '<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation>'
        "<PMID>1</PMID><Article><ArticleTitle>First</ArticleTitle><Abstract><AbstractText>"
        f"{huge}</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>\n",
    )

    with pytest.raises(ParseError) as refused:
        read(path)

    message = str(refused.value)
    assert "big.xml, line 2" in message
    assert "longer than the 10,000,000 characters one XML value may have" in message
    assert "broken" not in message
