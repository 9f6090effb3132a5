"""The importers on edge cases: encodings, line ends, pasted files, wrong uploads.

Inputs are tiny inline texts, or real files from ../shared/data re-encoded into
pytest's tmp_path (no sample there is UTF-16 or Latin-1). Where a synthetic file has
no obvious right answer, the docstring says what we decided.
"""

import pickle
import zipfile

import pytest

from screening.parsers import (
    CSV_FIELDS,
    FORMATS,
    ParseError,
    csv_columns,
    csv_guess_mapping,
    csv_preset,
    detect_encoding,
    detect_format,
    parse_file,
)
from tests.shared_data import shared_data


def write(tmp_path, name: str, content: str | bytes, encoding: str = "utf-8"):
    """Write text in an encoding; characters it lacks (a thin space in cp1252) become '?'."""
    path = tmp_path / name
    data = content if isinstance(content, bytes) else content.encode(encoding, errors="replace")
    path.write_bytes(data)
    return path


def real_text(*parts: str) -> str:
    return shared_data("formats", *parts).read_bytes().decode("utf-8-sig")


# --- ParseError ------------------------------------------------------------------------


def test_parse_error_message_names_file_line_and_field():
    error = ParseError("scopus.ris", "year 'abcd' is not a number", line=120, field="PY")

    assert str(error) == "scopus.ris, line 120, field PY: year 'abcd' is not a number"
    assert str(ParseError("a.ris", "empty")) == "a.ris: empty"


def test_parse_error_survives_pickling():
    """Celery and multiprocessing pickle exceptions; keyword-only arguments need help."""
    error = pickle.loads(  # noqa: S301 - our own bytes, made one line above
        pickle.dumps(ParseError("a.csv", "bad", line=3, field="title"))
    )

    assert (error.filename, error.line, error.field, error.reason) == ("a.csv", 3, "title", "bad")


def test_formats_lists_every_code():
    assert list(FORMATS) == [
        "ris",
        "nbib",
        "pubmed-xml",
        "endnote-xml",
        "enw",
        "bibtex",
        "wos",
        "wos-tab",
        "csv",
    ]


# --- RIS quirks ------------------------------------------------------------------------


def test_ris_abstract_line_starting_with_er_stays_in_abstract(tmp_path):
    path = write(
        tmp_path,
        "er.ris",
        "TY  - JOUR\nTI  - Endoscopy\nAB  - We studied patients.\nERCP was performed in all.\n"
        "ER - like text with one space\nER  - \n",
    )

    records = list(parse_file(path))

    assert len(records) == 1
    assert records[0].abstract == (
        "We studied patients.\nERCP was performed in all.\nER - like text with one space"
    )


@pytest.mark.parametrize(
    "line",
    [
        "AU  - Smith, J.",
        "AU  - ",
        "AU  -",
        "AU  -Smith",  # no space after the hyphen: not a tag line, so a continuation
        "AU  -\tSmith",
        "AU  -\u00a0Smith",  # any whitespace after the hyphen, as the pattern's \s
        "A1  - Smith",
        "au  - Smith",
        "\u00c5U  - Smith",
        "1A  - Smith",
        "  AU  - Smith",  # indented
        "KW - one space",  # a known tag with loose spacing
        "IL - 6 levels",  # an unknown one: text
        "PMID- 123",
        "ER  - positive tumours",
        "Text of an abstract",
    ],
)
def test_ris_fast_tag_lines_read_as_split_tag_says(tmp_path, line):
    """The reader's fast path for "XX  - value" lines agrees with split_tag on any line."""
    from screening.parsers.ris import split_tag

    path = write(tmp_path, "lines.ris", f"TY  - JOUR\nTI  - Title\n{line}\nER  - \n")

    (record,) = parse_file(path, "ris")

    tagged = split_tag(line.lstrip())
    if tagged and tagged[0] != "ER":
        assert record.raw[tagged[0]] == [tagged[1]]
        assert record.title == "Title"
    else:
        assert record.raw["TI"] == ["Title\n" + line.strip()]


def test_ris_embase_bom_with_ovid_link_lines(tmp_path):
    """Embase via Ovid, reduced: BOM, a record number, a record, then "Link to ..." and
    a trailing tag after ER. One record; the link lines belong to no record."""
    path = write(
        tmp_path,
        "embase_ovid.ris",
        "\ufeff1.\nTY  - JOUR\nT1  - Cysts\nA1  - Liu R.\nER  -\nNL  - Endosc\n\n"
        "Link to the Ovid Full Text or citation: https://ovidsp.example/x\n\n",
    )

    records = list(parse_file(path))

    assert [(record.title, record.authors, record.line) for record in records] == [
        ("Cysts", ["Liu R."], 2)
    ]
    assert set(records[0].raw) == {"TY", "T1", "A1"}


def test_ris_ovid_search_history_before_records(tmp_path):
    """Ovid exports can start with the database name and the numbered search lines."""
    path = write(
        tmp_path,
        "ovid.ris",
        "Database: Embase <1974 to 2024>\nSearch Strategy:\n----\n1     exp crohn disease/ (123)\n"
        "2     limit 1 to english (100)\n\n1.\nTY  - JOUR\nTI  - First\nER  - \n\n2.\n"
        "TY  - JOUR\nTI  - Second\nER  - \n",
    )

    assert [record.title for record in parse_file(path)] == ["First", "Second"]


def test_ris_two_exports_pasted_together(tmp_path):
    """Scopus then Embase pasted: Embase's BOM lands mid-file. 6 + 6 records, and line
    numbers run on through the second file."""
    scopus = shared_data("formats", "asreview-demo", "scopus.ris").read_bytes()
    embase = shared_data("formats", "asreview-demo", "embase.ris").read_bytes()
    path = write(tmp_path, "both.ris", scopus + b"\n" + embase)

    records = list(parse_file(path))

    assert len(records) == 12
    assert (
        records[6].title
        == "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound"
    )
    assert records[6].line == scopus.count(b"\n") + 2


def test_ris_line_ends_cr_only_and_crlf_read_alike(tmp_path):
    text = real_text("asreview-demo", "scopus.ris")
    expected = [
        (record.title, record.authors, record.doi)
        for record in parse_file(write(tmp_path, "lf.ris", text))
    ]

    cr = write(tmp_path, "cr.ris", text.replace("\n", "\r"))
    crlf = write(tmp_path, "crlf.ris", text.replace("\n", "\r\n"))

    assert [(record.title, record.authors, record.doi) for record in parse_file(cr)] == expected
    assert [(record.title, record.authors, record.doi) for record in parse_file(crlf)] == expected
    assert detect_format(cr) == "ris"


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("utf-16", "utf-16"),  # little-endian with BOM on this machine
        ("utf-16-be", "utf-16-be"),  # no BOM: recognised by its zero bytes
        ("utf-16-le", "utf-16-le"),
        ("utf-8-sig", "utf-8-sig"),
        ("cp1252", "cp1252"),
    ],
)
def test_ris_encodings_detected_and_read(tmp_path, encoding, detected):
    text = real_text("asreview-demo", "_baseline.ris")
    path = write(tmp_path, "baseline.ris", text, encoding)

    records = list(parse_file(path))

    assert detect_encoding(path) == detected
    assert detect_format(path) == "ris"
    assert len(records) == 100
    assert records[0].authors[0] == "Blomberg, Björn A."


def test_ris_utf16_be_with_bom(tmp_path):
    text = real_text("asreview-demo", "_baseline.ris")
    path = write(tmp_path, "be.ris", b"\xfe\xff" + text.encode("utf-16-be"))

    assert detect_encoding(path) == "utf-16"
    assert next(parse_file(path)).authors[0] == "Blomberg, Björn A."


def test_cp1252_curly_quote_and_latin1_fallback(tmp_path):
    """cp1252 has a curly apostrophe at 0x92; bytes cp1252 leaves undefined (0x81) fall
    back to Latin-1, which accepts every byte."""
    text = real_text("colrev", "search_sources", "ais_enl.txt")
    cp1252 = write(tmp_path, "ais.enw", text, "cp1252")
    latin1 = write(tmp_path, "odd.ris", b"TY  - JOUR\nTI  - Caf\xe9 \x81\nER  - \n")

    assert detect_encoding(cp1252) == "cp1252"
    titles = [record.title for record in parse_file(cp1252)]
    assert (
        "A Thematic Analysis of Software Developers’ Experience in online sourcing marketplaces"
        in titles
    )
    assert detect_encoding(latin1) == "latin-1"
    assert next(parse_file(latin1)).title == "Café \x81"


def test_wrong_explicit_encoding_names_the_line(tmp_path):
    path = write(tmp_path, "latin.ris", "TY  - JOUR\nTI  - Café\nER  - \n", "cp1252")

    with pytest.raises(ParseError) as caught:
        list(parse_file(path, encoding="utf-8", filename="upload.ris"))

    assert caught.value.filename == "upload.ris"
    assert caught.value.line == 1  # decoding reads ahead: the message says "at or soon after"
    assert "not valid utf-8" in caught.value.reason


def test_ris_forced_on_text_without_records(tmp_path):
    path = write(tmp_path, "notes.txt", "just some notes\nnothing tagged\n")

    with pytest.raises(ParseError, match="no RIS records found"):
        list(parse_file(path, "ris"))


def test_unknown_format_code_is_a_programming_error(tmp_path):
    path = write(tmp_path, "a.ris", "TY  - JOUR\nER  - \n")

    with pytest.raises(ValueError, match="unknown format"):
        list(parse_file(path, "marc"))


# --- Other tagged formats --------------------------------------------------------------


def test_nbib_records_pasted_without_blank_line(tmp_path):
    """A second "PMID- " starts a new record even when the blank line between was lost."""
    path = write(
        tmp_path,
        "pasted.nbib",
        "PMID- 1\nTI  - First title\n      continued\nFAU - Doe, Jane\nPMID- 2\nTI  - Second\n",
    )

    records = list(parse_file(path))

    assert [(record.pmid, record.title) for record in records] == [
        ("1", "First title continued"),
        ("2", "Second"),
    ]
    assert records[1].line == 5


def test_endnote_tagged_second_type_line_starts_record(tmp_path):
    path = write(
        tmp_path,
        "two.enw",
        "%0 Journal Article\n%T One\n%A Doe, J.\n%K alpha\nbeta\n%0 Book\n%T Two\n%D 1999\n",
    )

    records = list(parse_file(path))

    assert [(record.title, record.publication_type) for record in records] == [
        ("One", "Journal Article"),
        ("Two", "Book"),
    ]
    assert records[0].keywords == ["alpha", "beta"]
    assert records[1].year == 1999


def test_wos_plain_text_two_exports_pasted(tmp_path):
    text = real_text("rispy", "example_wos.ris")
    path = write(tmp_path, "both.txt", text + text)

    records = list(parse_file(path))

    assert len(records) == 4
    assert records[2].title == records[0].title


def test_wos_tab_utf16_windows_export_and_pasted_header(tmp_path):
    """WoS offers "Tab-delimited (Win, UTF-16)": same 321 records. A second export pasted
    below repeats the header row, which is skipped, not read as a record."""
    text = real_text("wos-tab", "WoS_zoological_final_4.txt")
    utf16 = write(tmp_path, "savedrecs.txt", "\ufeff" + text.replace("\r", "\r\n"), "utf-16-le")
    pasted = write(tmp_path, "pasted.txt", text + text)

    assert detect_format(utf16) == "wos-tab"
    assert len(list(parse_file(utf16))) == 321
    assert len(list(parse_file(pasted))) == 642


# --- BibTeX ----------------------------------------------------------------------------


def test_bibtex_string_macros_reach_later_entries(tmp_path):
    """The file is parsed one entry at a time; @string definitions carry across. The
    "#" concatenation is not resolved by bibtexparser 2 and stays as written (database
    exports do not use it)."""
    path = write(
        tmp_path,
        "macros.bib",
        '@string{jcp = "Journal of Chemical Physics"}\n\n'
        "@article{a, title = {First}, journal = jcp, year = 2001}\n"
        "@article(b, title = {M{\\\"u}ller's {DNA} method}, journal = jcp,\n"
        '  author = {M{\\"u}ller, J{\\"o}rg and de la Cruz, Ana}, year = {2002},\n'
        "  title = {Duplicate title field}, note = jcp # { Letters})\n",
    )

    records = list(parse_file(path))

    assert [record.journal for record in records] == ["Journal of Chemical Physics"] * 2
    assert records[1].title == "Müller's DNA method"
    assert records[1].authors == ["Müller, Jörg", "de la Cruz, Ana"]
    assert records[1].raw["title"] == ["M{\\\"u}ller's {DNA} method", "Duplicate title field"]
    assert records[1].raw["note"] == ["jcp # { Letters}"]
    assert records[1].line == 4


def test_bibtex_unclosed_entry_is_repaired_with_its_line(tmp_path):
    path = write(
        tmp_path,
        "broken.bib",
        "@article{a, title = {Fine}}\n\n@article{b, title = {Never closed,\n  year = 2000\n",
    )
    warnings = []

    records = list(parse_file(path, warnings=warnings))

    assert [(r.title, r.year) for r in records] == [("Fine", None), ("Never closed", 2000)]
    assert [(w.entry, w.line, w.action, w.key) for w in warnings] == [(2, 3, "repaired", "b")]


# --- XML -------------------------------------------------------------------------------


def test_xml_syntax_error_names_the_line(tmp_path):
    path = write(
        tmp_path,
        "broken.xml",
        "<?xml version='1.0'?>\n<PubmedArticleSet>\n<PubmedArticle>\n<MedlineCitation>\n"
        "<PMID>1</PMID></Oops>\n",
    )

    with pytest.raises(ParseError) as caught:
        list(parse_file(path))

    assert caught.value.line == 5
    assert "the XML is broken" in caught.value.reason


def test_xml_external_entities_are_not_resolved(tmp_path):
    """An upload must not be able to read server files through an external entity."""
    secret = write(tmp_path, "secret.txt", "TOP-SECRET")
    path = write(
        tmp_path,
        "xxe.xml",
        f'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>7</PMID><Article>"
        "<ArticleTitle>Title &xxe;</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>\n",
    )

    record = next(parse_file(path))

    assert record.pmid == "7"
    assert "TOP-SECRET" not in record.title
    assert all("TOP-SECRET" not in value for values in record.raw.values() for value in values)


def test_pubmed_xml_inline_markup_and_book_article(tmp_path):
    path = write(
        tmp_path,
        "mixed.xml",
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<ArticleTitle>Effect of <i>E. coli</i> on H<sub>2</sub>O</ArticleTitle>"
        "<AuthorList><Author><CollectiveName>WHO Group</CollectiveName></Author></AuthorList>"
        "<Journal><JournalIssue><PubDate><MedlineDate>1998 Dec-1999 Jan</MedlineDate></PubDate>"
        "</JournalIssue></Journal></Article></MedlineCitation></PubmedArticle>"
        "<PubmedBookArticle><BookDocument><PMID>2</PMID><Book><BookTitle>A Book</BookTitle>"
        "<PubDate><Year>2010</Year></PubDate></Book></BookDocument></PubmedBookArticle>"
        "</PubmedArticleSet>",
    )

    records = list(parse_file(path))

    assert (
        records[0].title == "Effect of E. coli on H 2 O"
        or records[0].title == "Effect of E. coli on H2O"
    )
    assert records[0].authors == ["WHO Group"]
    assert records[0].year == 1998
    assert (records[1].pmid, records[1].title, records[1].year) == ("2", "A Book", 2010)


# --- Wrong uploads ---------------------------------------------------------------------


def _zip(tmp_path, name: str, members: list[str]):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        for member in members:
            archive.writestr(member, "x")
    return path


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "this is a PDF document, not a bibliographic export"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old Microsoft Office file (Word .doc"),
        (b"\x89PNG\r\n\x1a\n" + bytes(50), "a PNG image"),
        (b"\xff\xd8\xff\xe0" + bytes(50), "a JPEG image"),
        (b"GIF89a" + bytes(50), "a GIF image"),
        (b"<!DOCTYPE html><html><body>Search results</body></html>", "a web page (HTML)"),
        (b"<?xml version='1.0'?><rss><channel/></rss>", "neither a PubMed nor an EndNote"),
        (
            b"Dear colleague,\nplease find the search results attached.\n",
            "no export format we recognise",
        ),
        (b"", "the file is empty"),
        (b"\n\r\n   \n", "the file is empty"),
        (b"\xef\xbb\xbf", "the file is empty"),
        (bytes(range(256)) * 4, "a binary file"),
    ],
)
def test_detect_format_names_what_a_wrong_upload_is(tmp_path, content, expected):
    path = write(tmp_path, "upload.bin", content)

    with pytest.raises(ParseError) as caught:
        detect_format(path, filename="report.pdf")

    assert caught.value.filename == "report.pdf"
    assert expected in str(caught.value)


def test_detect_format_pdf_message_lists_expected_formats(tmp_path):
    path = write(tmp_path, "x", b"%PDF-1.4\n")

    with pytest.raises(ParseError) as caught:
        detect_format(path, filename="report.pdf")

    assert str(caught.value) == (
        "report.pdf: this is a PDF document, not a bibliographic export. Expected RIS, PubMed "
        "(nbib/XML), EndNote (XML or tagged), BibTeX, Web of Science or CSV."
    )


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        (["[Content_Types].xml", "word/document.xml"], "a Word document (.docx)"),
        (["[Content_Types].xml", "xl/workbook.xml"], "an Excel workbook (.xlsx)"),
        (["export.ris"], "a ZIP archive; unzip it"),
    ],
)
def test_detect_format_looks_inside_zip_files(tmp_path, members, expected):
    path = _zip(tmp_path, "upload.zip", members)

    with pytest.raises(ParseError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        detect_format(path)


def test_parse_file_auto_raises_for_wrong_upload(tmp_path):
    path = write(tmp_path, "tmp123", b"%PDF-1.4\n")

    with pytest.raises(ParseError, match="^strategy.pdf: this is a PDF"):
        list(parse_file(path, filename="strategy.pdf"))


# --- CSV -------------------------------------------------------------------------------

SCOPUS_HEADER = (
    '\ufeff"Authors","Author full names","Author(s) ID","Title","Year","Source title","Volume",'
    '"Issue","Art. No.","Page start","Page end","Page count","Cited by","DOI","Link",'
    '"Abstract","Author Keywords","Index Keywords","Language of Original Document",'
    '"Document Type","PubMed ID","EID"\n'
)
SCOPUS_ROW = (
    '"Labanski A.; Langhorst J.","Labanski, Anne (1); Langhorst, Jost (2)","1;2",'
    '"Stress and the brain-gut axis","2020","Psychoneuroendocrinology","111","","104501",'
    '"12","20","9","3","10.1016/j.psyneuen.2019.104501","https://www.scopus.com/x",'
    '"An abstract.","Stress; Microbiota","","English","Review","31734567","2-s2.0-1"\n'
)


def test_csv_scopus_preset_with_page_start_and_end(tmp_path):
    """Scopus CSV column names as exported in 2024 (no such file in shared data)."""
    path = write(tmp_path, "scopus.csv", SCOPUS_HEADER + SCOPUS_ROW)

    records = list(parse_file(path))

    assert csv_preset(csv_columns(path)) == "scopus"
    assert len(records) == 1
    record = records[0]
    assert record.authors == ["Labanski A.", "Langhorst J."]
    assert (record.year, record.journal, record.pages) == (
        2020,
        "Psychoneuroendocrinology",
        "12-20",
    )
    assert (record.doi, record.pmid, record.keywords) == (
        "10.1016/j.psyneuen.2019.104501",
        "31734567",
        ["Stress", "Microbiota"],
    )


def test_csv_two_exports_pasted_skip_second_header(tmp_path):
    path = write(tmp_path, "both.csv", SCOPUS_HEADER + SCOPUS_ROW + SCOPUS_HEADER + SCOPUS_ROW)

    records = list(parse_file(path))

    assert len(records) == 2
    assert [record.line for record in records] == [2, 4]


def test_csv_without_title_column_lists_columns(tmp_path):
    path = write(tmp_path, "x.csv", "Titel;Autor;Jahr\nEine Studie;Muster, M;2020\n")

    with pytest.raises(ParseError) as caught:
        list(parse_file(path, filename="export.csv"))

    message = str(caught.value)
    assert message.startswith("export.csv, line 1: no title column found.")
    assert "'Titel', 'Autor', 'Jahr'" in message
    assert "column mapping" in message


def test_csv_explicit_mapping_and_missing_column(tmp_path):
    path = write(tmp_path, "x.csv", "Titel;Autor;Jahr\nEine Studie;Muster, M;2020\n")

    record = next(
        parse_file(path, csv_mapping={"title": "Titel", "authors": "Autor", "year": "Jahr"})
    )
    with pytest.raises(ParseError) as caught:
        list(parse_file(path, csv_mapping={"title": "Title"}))

    assert (record.title, record.authors, record.year) == ("Eine Studie", ["Muster, M"], 2020)
    assert caught.value.field == "title"
    assert "the column 'Title' is not in this file" in caught.value.reason


def test_csv_mapping_with_unknown_field_is_a_programming_error(tmp_path):
    path = write(tmp_path, "x.csv", "title\nA\n")

    with pytest.raises(ValueError, match="colour"):
        list(parse_file(path, csv_mapping={"title": "title", "colour": "title"}))


def test_csv_unclosed_quote_names_the_row(tmp_path):
    """Without strict quoting the rest of the file would vanish into one cell."""
    path = write(tmp_path, "x.csv", 'title,abstract\nFine,ok\n"Broken,abstract\nNext,row\n')

    with pytest.raises(ParseError) as caught:
        list(parse_file(path))

    assert caught.value.line == 3
    assert "quote mark may be unbalanced" in caught.value.reason


def test_csv_ragged_rows_keep_extra_cells(tmp_path):
    """A row with fewer cells has empty fields; extra cells go to raw as "column N"."""
    path = write(tmp_path, "x.csv", "title,year\nShort\nLong,2001,surplus\n")

    records = list(parse_file(path))

    assert [(record.title, record.year) for record in records] == [("Short", None), ("Long", 2001)]
    assert records[1].raw["column 3"] == ["surplus"]


def test_csv_columns_and_guess_mapping(tmp_path):
    path = write(tmp_path, "x.tsv", "Title\tAuthor(s)\tPublication Year\tDOI\tNotes\n")

    columns = csv_columns(path)

    assert columns == ["Title", "Author(s)", "Publication Year", "DOI", "Notes"]
    assert csv_guess_mapping(columns) == {
        "title": "Title",
        "authors": "Author(s)",
        "year": "Publication Year",
        "doi": "DOI",
    }
    assert set(csv_guess_mapping(columns)) <= set(CSV_FIELDS)


@pytest.mark.parametrize(
    ("columns", "preset"),
    [
        (["Authors", "Title", "Year", "Source title", "EID"], "scopus"),
        (["Title", "Author Names", "Source", "Emtree Medical Index Terms"], "embase"),
        (["Document Title", "Authors", "Author Affiliations", "Publication Title"], "ieee"),
        (["Item Title", "Publication Title", "Item DOI", "Authors"], "springerlink"),
        (["PMID", "Title", "Authors", "Citation", "Journal/Book"], "pubmed"),
        (
            [
                "Key",
                "Item Type",
                "Publication Year",
                "Author",
                "Title",
                "Publication Title",
                "Abstract Note",
            ],
            "zotero",
        ),
        (["Title", "Authors", "Covidence #"], "covidence"),
        (["title", "abstract"], None),
    ],
)
def test_csv_preset_by_columns(columns, preset):
    assert csv_preset(columns) == preset


def test_csv_latin1_semicolon_excel_export(tmp_path):
    """Excel on a European Windows saves CSV as cp1252 with semicolons."""
    path = write(
        tmp_path, "excel.csv", "Title;Authors;Year\nÉtude sur l’eau;Dupont, É.;2019\n", "cp1252"
    )

    record = next(parse_file(path))

    assert (record.title, record.authors, record.year) == ("Étude sur l’eau", ["Dupont, É."], 2019)
