"""The importers on real export files from ../shared/data/formats, read in place.

Each test pins what a careful reading of the file gives: record counts, a title,
authors in order, DOI, year. Where CoLRev's parsed output (`*_result.bib`) exists,
counts and DOIs are checked against it as an independent reading; rispy serves the
same role for RIS titles.
"""

import pytest
import rispy

from screening.parsers import ParseError, detect_format, parse_file
from tests.shared_data import shared_data


def parse(*parts: str, **options):
    return list(parse_file(shared_data("formats", *parts), **options))


# --- RIS ---------------------------------------------------------------------------


def test_ris_scopus_reads_all_fields():
    records = parse("asreview-demo", "scopus.ris")

    assert len(records) == 6
    first = records[0]
    assert first.title == (
        "Stress and the brain-gut axis in functional and chronic-inflammatory gastrointestinal "
        "diseases: A transdisciplinary challenge"
    )
    assert first.authors == ["Labanski, A.", "Langhorst, J.", "Engler, H.", "Elsenbruch, S."]
    assert first.year == 2020
    assert first.journal == "Psychoneuroendocrinology"
    assert first.volume == "111"
    assert first.doi == "10.1016/j.psyneuen.2019.104501"
    assert first.keywords[:2] == ["Brain-gut axis", "Chronic-inflammatory bowel diseases"]
    assert first.language == "English"
    assert first.publication_type == "JOUR"
    assert first.abstract.startswith("The broad role of stress in the brain-gut axis")
    assert first.line == 1


def test_ris_embase_with_bom_reads_first_record():
    """Embase writes a UTF-8 BOM before the first TY, A1 for authors and N2 for the abstract."""
    records = parse("asreview-demo", "embase.ris")

    assert len(records) == 6
    first = records[0]
    assert (
        first.title
        == "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound"
    )
    assert first.authors == ["Liu R.", "Adler D.G."]
    assert (first.year, first.volume, first.issue, first.pages) == (2014, "3", "3", "152-160")
    assert first.doi == "10.4103/2303-9027.138783"
    assert first.abstract.startswith("Gastrointestinal tract duplication cysts are rare")
    assert first.raw["SN"] == ["2226-7190", "2226-7190"]  # a repeated tag keeps both values


def test_ris_ovid_skips_numbers_links_and_lines_after_er():
    """Ovid numbers records ("1."), writes "NL  - ..." after ER and a "Link to the Ovid Full
    Text" line between records: none of it is a record or part of one."""
    records = parse("asreview-demo", "ovid_psycinfo.ris")

    assert len(records) == 6
    assert [record.line for record in records][:2] == [2, 31]
    first = records[0]
    assert first.title.startswith("The influence of self-criticism on depression symptoms")
    assert first.authors[0] == "Trindade, Ines A"
    assert first.year == 2019  # "2019//"
    assert first.doi == "10.1002/cpp.2398"  # from "http://dx.doi.org/10.1002/cpp.2398"
    assert first.raw["DO"] == ["http://dx.doi.org/10.1002/cpp.2398"] * 2
    assert first.pages == ""  # "SP  - No" / "EP  - Specified"
    assert "NL" not in first.raw
    assert not any("Link to the Ovid" in value for values in first.raw.values() for value in values)


def test_ris_ovid_via_zotero_matches_ovid_direct():
    direct = parse("asreview-demo", "ovid_psycinfo.ris")
    via_zotero = parse("asreview-demo", "ovid_zotero.ris")

    assert [record.title for record in via_zotero] == [record.title for record in direct]
    assert [record.doi for record in via_zotero] == [record.doi for record in direct]


def test_ris_proquest_reads_keywords_and_url():
    records = parse("asreview-demo", "proquest.ris")

    assert len(records) == 6
    assert records[0].authors[:2] == ["Jones, Hannah", "Dorahy, Martin J"]
    assert records[0].doi == "10.1002/jts.22387"
    assert records[0].url == "https://search.proquest.com/docview/2214991469?accountid=14772"
    assert "Christchurch Earthquake (2011)" in records[0].keywords


def test_ris_web_of_science_export():
    records = parse("asreview-demo", "web_of_science.txt")

    assert len(records) == 10
    assert records[0].title == (
        "Holding Yourself Captive: Perceptions of Custody During Interviews and Interrogations"
    )
    assert records[0].authors == ["Alceste, F", "Luke, TJ", "Kassin, SM"]
    assert (records[0].pages, records[0].doi) == ("387-397", "10.1016/j.jarmac.2018.03.001")


def test_ris_pubmed_via_endnote_reads_pmid_and_line_per_keyword():
    """EndNote's PubMed RIS: a leading blank line, the PMID in AN (DP is NLM), MeSH terms
    one per line under a single KW, and MEDLINE's abbreviated pages "349-69"."""
    records = parse("asreview-demo", "pubmed_endnote.txt")

    assert len(records) == 6
    first = records[0]
    assert first.line == 2
    assert first.pmid == "21553931"
    assert first.pages == "349-369"
    assert first.keywords[:3] == [
        "Animals",
        "Anti-Inflammatory Agents/adverse effects/pharmacokinetics/*pharmacology",
        "Boswellia/*chemistry",
    ]


def test_ris_pubmed_via_zotero():
    records = parse("asreview-demo", "pubmed_zotero.ris")

    assert len(records) == 6
    assert records[1].title == (
        "Outcomes of inflammatory bowel disease surgery in obese versus non-obese patients: "
        "a meta-analysis."
    )
    assert records[1].authors == ["Hicks, G.", "Abdulaal, A.", "Slesser, A. A. P.", "Mohsen, Y."]
    assert (records[1].year, records[1].doi) == (2019, "10.1007/s10151-019-02080-0")


def test_ris_zotero_crlf_and_baseline_with_bom():
    zotero = parse("asreview-demo", "baseline_zotero.ris")
    baseline = parse("asreview-demo", "_baseline.ris")

    assert len(zotero) == 100
    assert zotero[0].title == (
        "An open source machine learning framework for efficient and transparent systematic reviews"
    )
    assert zotero[0].authors[:3] == ["van de Schoot, Rens", "de Bruin, Jonathan", "Schram, Raoul"]
    assert zotero[0].doi == "10.1038/s42256-020-00287-7"
    assert len(baseline) == 100
    assert baseline[0].authors[:2] == ["Blomberg, Björn A.", "Moghbel, Mateen"]


def test_ris_rayyan_keywords_on_continuation_lines():
    """Rayyan writes the first keyword after KW and the rest on bare lines below it."""
    records = parse("asreview-demo", "ris_issue_992.txt")

    assert len(records) == 19
    assert records[0].title == "Overcoming Medication Reconciliation Challenges"
    assert records[0].keywords[:3] == [
        "Health Facility Administration",
        "Joint Commission",
        "Standards",
    ]
    assert len(records[0].keywords) == 13


def test_ris_scopus_note_with_blank_lines_stays_in_its_tag():
    """Scopus via Citavi: a U3 value continues over blank and untagged lines."""
    records = parse("asreview-demo", "ris_issue_1099.txt")

    assert len(records) == 7
    assert records[1].title == (
        "Validity Frame Driven Computational Design Synthesis for Complex Cyber-Physical Systems"
    )
    assert (
        records[1]
        .raw["U3"][0]
        .startswith("Cited By :2\nExport Date: 12 May 2022\nConference Paper")
    )
    assert records[1].doi == "10.1007/978-3-030-58167-1_7"


def test_ris_faulty_year_keeps_record_and_raw_value():
    """ "PY  - 10 15" is no year: the record is kept, year None, the value stays in raw."""
    records = parse("asreview-demo", "faulty_year.ris")

    assert len(records) == 1
    assert records[0].year is None
    assert records[0].raw["PY"] == ["10 15"]
    assert records[0].title.startswith("The Value of Radiologic Interventions")


def test_ris_empty_values_keep_every_record():
    """Four records, some with an empty title or abstract: all four are yielded, and an
    empty tag is kept in raw as an empty value."""
    records = parse("asreview-demo", "baseline_empty_values.ris")

    assert [record.title for record in records] == [
        "Title of reference",
        "",
        "Title of reference",
        "",
    ]
    assert records[0].raw["N2"] == [""]
    assert records[1].abstract.startswith("Lorem ipsum")


def test_ris_reference_types_keep_empty_type_record():
    """61 TY lines, the first with an empty type and no other field: 61 records."""
    records = parse("asreview-demo", "baseline_reference_types.ris")

    assert len(records) == 61
    assert records[0].publication_type == ""
    assert records[1].publication_type == "GEN"


def test_ris_many_authors_keeps_order_and_count():
    records = parse("asreview-demo", "ris_many_authors.ris")

    assert len(records) == 1
    assert len(records[0].authors) == len(records[0].raw["AU"])
    assert len(records[0].authors) > 500


@pytest.mark.parametrize(
    ("source", "count", "title", "doi"),
    [
        ("abi_inform_proquest_ris.ris", 2, "Thesis title", ""),
        ("ieee_ris.ris", 2, "Title of a conference paper", "10.1234/random-name55555.2020.00050"),
        ("jstor_ris.ris", 4, "This is the title - charset UTF-8 used", ""),
        ("psycinfo_ris.ris", 1, "Primary Title", "10.1011/hea0004444"),
        ("trid_ris.ris", 3, "Title of this citation", ""),
    ],
)
def test_ris_colrev_sources(source, count, title, doi):
    records = parse("colrev", "search_sources", source)

    assert len(records) == count
    assert records[0].title == title
    assert records[0].doi == doi


def test_ris_psycinfo_four_letter_pmid_tag():
    record = parse("colrev", "search_sources", "psycinfo_ris.ris")[0]

    assert record.pmid == "33355555"
    assert record.authors[:2] == ["Author-One, Matthias", "Author-Two, Martin"]
    assert (record.year, record.pages) == (2020, "1023-1095")


def test_ris_jstor_provider_headers_between_records():
    records = parse("colrev", "search_sources", "jstor_ris.ris")

    assert [record.line for record in records] == [6, 32, 60, 86]
    assert records[1].title == "Primary Title"
    assert records[1].doi == "10.1111/something.2014.3.4.56"


def test_ris_trid_compact_start_date_gives_year():
    records = parse("colrev", "search_sources", "trid_ris.ris")

    assert [record.year for record in records] == [2017, 2018, 2019]  # "Start date: 20170812"
    assert records[1].doi == "10.1444/j.hello.2018.05.005"
    assert records[1].pages == "pp 37-64"


def test_ris_missing_er_and_loose_tags_keep_both_records():
    """CoLRev's loader file: the first record has no ER (the next TY closes it), a
    "KW - keyword2" with one space, bare keyword lines, "PMID - " and a "% Comment" line
    between records. rispy drops the first record; we keep both. Without an ER nothing
    marks where the first record ends, so "% Comment" continues its last tag (PMID) in
    raw; the pmid field takes the number only. The missing ER is reported as a repaired
    entry, so the import waits for the user to confirm it."""
    warnings = []
    records = parse("colrev", "loader", "ris_data.ris", warnings=warnings)

    assert [record.title for record in records] == [
        "Title of a conference paper",
        "Title of a journal paper",
    ]
    assert records[0].keywords == ["keyword2", "keyword2", "keyword3"]
    assert records[0].pmid == "12345678"
    assert records[0].raw["PMID"] == ["12345678\n% Comment"]
    assert records[1].raw["TY"] == ["JOUR"]
    assert [(w.entry, w.line, w.action) for w in warnings] == [(1, 2, "repaired")]
    assert "no 'ER  - ' line before the next record" in str(warnings[0])


def test_ris_titles_agree_with_rispy_on_real_files():
    for name in (
        "scopus.ris",
        "embase.ris",
        "ovid_psycinfo.ris",
        "proquest.ris",
        "pubmed_zotero.ris",
    ):
        path = shared_data("formats", "asreview-demo", name)
        ours = [record.title for record in parse_file(path)]
        theirs = [
            " ".join((entry.get("title") or entry.get("primary_title") or "").split())
            for entry in rispy.load(path, encoding="utf-8-sig")
        ]
        assert ours == theirs, name


def test_ris_rispy_examples():
    """rispy's own edge cases: leading blank lines, unknown tags, empty tags, URL lists,
    a file with a BOM and no title, extraneous "Record #1 of 2" headers."""
    starting = parse("rispy", "example_starting_newlines.ris")
    unknown = parse("rispy", "example_multi_unknown_tags.ris")
    single_unknown = parse("rispy", "example_single_unknown_tag.ris")
    empty = parse("rispy", "example_empty_tag.ris")
    urls = parse("rispy", "example_urls.ris")
    bom = parse("rispy", "example_bom.ris")
    extraneous = parse("rispy", "example_extraneous_data.ris")

    assert (starting[0].line, starting[0].title) == (3, "A Mathematical Theory of Communication")
    assert unknown[0].raw["JP"] == ["CRISPR"] and unknown[0].raw["DC"] == ["Direct Current"]
    assert single_unknown[0].raw["JP"] == ["CRISPR", "Direct Current"]
    assert empty[0].raw["SP"] == [""] and empty[0].pages == ""
    assert empty[0].abstract.endswith("when determining an athlete's safe return to sport...")
    assert [record.url for record in urls] == ["http://example.com"] * 4
    assert urls[1].raw["UR"] == ["http://example.com", "http://www.example.com"]
    assert (bom[0].title, bom[0].doi) == ("", "10.1186/s40981-020-0316-0")
    assert [record.title for record in extraneous] == [
        "Title of reference",
        "The title of the reference",
    ]
    assert extraneous[1].authors == ["Marxus, Karlus", "Lindgren, Astrid"]


def test_ris_multiline_values_with_er_at_line_start():
    """rispy's multi-line example: continuation lines, one starting "ER then second line",
    which is text, not the end of the record."""
    records = parse("rispy", "example_multiline.ris")

    assert len(records) == 3
    assert records[2].raw["N2"] == [
        "first line,\nER then second line and at the end\nthe last line"
    ]
    assert records[2].raw["N1"] == ["first line\n* second line\n* last line"]


def test_ris_utf8_cyrillic_short_title_as_title():
    record = parse("rispy", "example_utf_chars.ris")[0]

    assert record.title.startswith("Состояние рецепторного аппарата эндометрия")
    assert record.raw["N1"] == ["Ä,Ö,Ü,ä,ö,ü,ß"]
    assert record.authors[0] == "Dobrokhotova, Yu E."


# --- PubMed MEDLINE (nbib) ------------------------------------------------------------


def test_nbib_biopython_medline_wrapped_abstract():
    records = parse("biopython", "Medline", "pubmed_result1.txt")

    assert len(records) == 1
    record = records[0]
    assert record.pmid == "12230038"
    assert record.title == "The Bio* toolkits--a brief overview."
    assert record.authors == ["Mangalam, Harry"]
    assert (record.year, record.volume, record.issue, record.pages) == (2002, "3", "3", "296-302")
    assert record.journal == "Briefings in bioinformatics"
    assert record.abstract.startswith("Bioinformatics research is often difficult to do with")
    assert "The Open Source BioPerl" in record.abstract  # wrapped line joined with a space
    assert record.keywords[:2] == ["*Computational Biology", "Computer Systems"]
    assert record.publication_type == "Journal Article"


def test_nbib_biopython_four_records_with_dois():
    records = parse("biopython", "Medline", "pubmed_result2.txt")

    assert [record.pmid for record in records] == ["16403221", "16377612", "14871861", "14630660"]
    assert records[0].title == "A high level interface to SCOP and ASTRAL implemented in python."
    assert records[0].doi == "10.1186/1471-2105-7-10"


def test_nbib_eric_without_pmid():
    """ERIC's .nbib has no PMID, starts with OWN, writes "ISSN - " with five characters
    and its DOI as a URL in AID."""
    records = parse("colrev", "search_sources", "eric_nbib.nbib")

    assert len(records) == 1
    record = records[0]
    assert record.title == "Paper title"
    assert record.authors == ["Smith, Tom", "Hunter, Shawn"]
    assert (record.year, record.pages, record.doi) == (2000, "1-9", "10.1000/123456789")
    assert record.keywords == ["Keyword 1", "Keyword 2"]
    assert record.raw["ISSN"] == ["ISSN-1234-4567"]


# --- PubMed XML ------------------------------------------------------------------------


def test_pubmed_xml_asreview_demo():
    records = parse("asreview-demo", "pubmed.xml")

    assert len(records) == 10
    first = records[0]
    assert first.pmid == "31690499"
    assert (
        first.title
        == "A new decompression device for treating odontogenic cysts using a silicone tube."
    )
    assert first.authors[:2] == ["Kimura, M", "Ishibashi, K"]
    assert first.doi == "10.1016/j.bjoms.2019.09.011"
    assert first.journal == "The British journal of oral & maxillofacial surgery"
    assert first.year == 2019
    assert first.line == 5


def test_pubmed_xml_biopython_structured_abstract_and_mesh():
    record = parse("biopython", "Entrez", "pubmed4.xml")[0]

    assert record.pmid == "27797938"
    assert record.abstract.startswith("OBJECTIVE: Telomere shortening occurs")
    assert "\nDESIGN: We measured prediagnostic" in record.abstract
    assert (record.volume, record.issue, record.pages) == ("66", "6", "1116-1122")
    assert record.keywords[:3] == ["Adenocarcinoma", "Adult", "Aged"]
    assert "PANCREATIC CANCER" in record.keywords
    assert record.raw["PubmedData/ArticleIdList/ArticleId@IdType"][:3] == ["pubmed", "pii", "doi"]


@pytest.mark.parametrize(
    ("name", "count", "pmid", "doi"),
    [
        ("pubmed1.xml", 2, "12091962", ""),
        ("pubmed2.xml", 2, "11748933", "10.1006/cryo.2001.2328"),
        ("pubmed5.xml", 1, "28775130", "10.1136/oemed-2017-104431"),
        ("pubmed6.xml", 1, "30108519", "10.3389/fphys.2018.01034"),
        ("pubmed7.xml", 1, "29963580", "10.1117/1.jmi.5.2.026002"),
    ],
)
def test_pubmed_xml_biopython_files(name, count, pmid, doi):
    records = parse("biopython", "Entrez", name)

    assert len(records) == count
    assert (records[0].pmid, records[0].doi) == (pmid, doi)
    assert records[0].title


# --- EndNote ---------------------------------------------------------------------------


def test_endnote_xml_style_runs_read_as_text():
    records = parse("endnote-xml", "respiratory_first40.xml")

    assert len(records) == 40
    first = records[0]
    assert first.title == (
        "Perioperative nutritional support in patients undergoing hepatectomy for "
        "hepatocellular carcinoma"
    )
    assert first.authors == ["Ziegler, T. R."]
    assert (first.year, first.pages, first.volume, first.issue) == (1996, "91-92", "20", "1112")
    assert first.journal == "Jpen: Journal of Parenteral & Enteral Nutrition"
    assert first.publication_type == "Journal Article"
    assert records[2].authors == ["Zhou, Xiangdong", "Lan, Jian", "Zhang, Ting"]


def test_endnote_tagged_ais_title_before_type():
    """AIS eLibrary writes %T before %0 and separates records by blank lines; two records
    have no %0 and no author. Six records, as in CoLRev's reading."""
    records = parse("colrev", "search_sources", "ais_enl.txt")

    assert len(records) == 6
    assert records[0].title.startswith("How Trust Leads to Commitment on Microsourcing Platforms")
    assert records[0].authors == ["Guo, Wenbo", "Straub, Detmar W.", "Zhang, Pengzhu", "Cai, Zhao"]
    assert (records[0].year, records[0].volume, records[0].issue) == (2021, "45", "3")
    assert records[0].pages == "1309-1348"
    assert records[0].url == "https://aisel.aisnet.org/misq/vol45/iss3/13"
    assert records[1].title == "MISQ Volume 45, Issue 3 Table of Contents"
    assert records[3].authors[2:4] == ["Osório, Gerardo", "Carvalho, João P. P."]


# --- BibTeX ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "titles"),
    [
        (
            "abi_inform_proquest_bib.bib",
            ["This is a dummy title", "This title is from proceedings type"],
        ),
        ("acm_bib.bib", ["This is a dummy article", "This is the reference citation entry"]),
        ("crossref_bib.bib", None),
        ("dblp_bib.bib", ["This is a dummy article", "This is a dummy proceedings"]),
        ("europe_pmc_bib.bib", None),
        ("scopus_bib.bib", None),
        ("taylor_and_francis_bib.bib", None),
        ("web_of_science_bib.bib", ["Inproceedings Title", "A dummy title's"]),
        ("wiley_bib.bib", ["Dummy: write down your ideas", "Dummy title"]),
    ],
)
def test_bibtex_counts_and_dois_match_colrev(source, titles):
    records = parse("colrev", "search_sources", source)
    expected = parse("colrev", "search_sources", source.replace(".bib", "_result.bib"))

    assert len(records) == len(expected)
    assert sorted(record.doi for record in records) == sorted(record.doi for record in expected)
    if titles:
        assert [record.title for record in records] == titles


def test_bibtex_web_of_science_bom_and_escapes():
    records = parse("colrev", "search_sources", "web_of_science_bib.bib")

    assert records[0].line == 3
    assert records[0].authors == ["Writerone, Julia", "Writertwo, Paul"]
    assert records[0].doi == "10.1007/999-9-999-99999-9_3"  # "\_" unescaped
    assert records[0].journal == "A BOOKTITLE"
    assert records[1].title == "A dummy title's"  # "&apos;"
    assert records[1].raw["Title"] == ["A dummy title&apos;s"]


def test_bibtex_scopus_reads_eleven_entries():
    records = parse("colrev", "search_sources", "scopus_bib.bib")

    assert len(records) == 11
    assert records[0].authors == ["Firstwriter, Z.", "Secondwriter, T.", "Thirdwriter, L."]
    assert (records[0].year, records[0].doi) == (2022, "10.1111/88888888.2022.7777777")


def test_bibtex_latex_braces_and_percent_signs():
    dblp = parse("colrev", "search_sources", "dblp_bib.bib")
    europe_pmc = parse("colrev", "search_sources", "europe_pmc_bib.bib")

    assert dblp[0].journal == "The Journal for CAPITALLETTER easy writing"
    assert dblp[1].pages == "465:1-465:20"
    assert europe_pmc[0].pmid == "18888888"  # only in the entry key "PMID:18888888"
    assert europe_pmc[0].title.startswith("When there is a PERCENTAGE symbol anywhere")


def test_bibtex_acm_en_dash_pages_and_three_digit_year():
    """ACM writes an en dash in pages; "year = {888}" is no four-digit year: None, raw kept."""
    records = parse("colrev", "search_sources", "acm_bib.bib")

    assert records[1].pages == "123-456"
    assert records[1].year is None
    assert records[1].raw["year"] == ["888"]
    assert records[0].keywords == ["creative writing", "funny writing", "lazy writing"]


def test_bibtex_ebsco_malformed_entry_is_skipped_with_its_line():
    """EBSCO's second entry carries scraped web-page code with unbalanced braces in its
    keywords. CoLRev repairs it by hand; no brace repair gives its fields, so it is
    skipped, with a warning naming its entry, line and key (the import then waits for the
    user to confirm), and the readable entry is kept."""
    warnings = []
    records = parse("colrev", "search_sources", "ebsco_bib.bib", warnings=warnings)

    assert len(records) == 1
    assert [(w.entry, w.line, w.action, w.key) for w in warnings] == [
        (2, 15, "skipped", "13362467620181001")
    ]
    assert str(warnings[0]).startswith(
        "ebsco_bib.bib, entry 2 (line 15, key 13362467620181001): skipped: it cannot be read: "
        "Expected a `=`"
    )


def test_bibtex_duplicate_keys_and_crossref_entries_are_all_records():
    """CoLRev's loader file: two entries share a key, one entry has a two-line abstract,
    two @inproceedings point to @proceedings by crossref, and a WoS entry wraps its
    title. All six entries are records (the @proceedings has no title). Line breaks in a
    BibTeX value are spaces, as in TeX."""
    records = parse("colrev", "loader", "bib_data.bib")

    assert len(records) == 6
    assert [record.doi for record in records[:2]] == [
        "10.3333/xyz.v4444.04",
        "10.3333/xyz.v4444.04a",
    ]
    assert records[0].abstract == "This is a nice abstract."
    assert records[0].authors == ["Articlewriter, Laura, III"]
    assert records[4].title == "" and records[4].raw["ENTRYTYPE"] == ["proceedings"]
    assert records[5].title == (
        "Magnetic properties and phase transitions of iron boracites, Fe3B7O13X (X = Cl, Br OR I)"
    )
    assert records[5].authors == ["Andreica, D", "Schmid, H"]


def test_bibtex_colrev_dedupe_records():
    records = parse("colrev", "dedupe_records.bib")

    assert len(records) == 21
    assert records[0].title == (
        "Understanding the role of managerial agency in achieving business benefits"
        " from ERP systems"
    )
    assert records[0].doi == "10.1111/j.1365-2575.2008.00316.x"


# --- Web of Science --------------------------------------------------------------------


def test_wos_plain_text_tagged():
    """rispy's example_wos.ris is really Web of Science plain text: FN/VR header, PT..ER
    records with indented continuation lines, EF at the end."""
    records = parse("rispy", "example_wos.ris")

    assert len(records) == 2
    first = records[0]
    assert first.title == (
        "Interactions stabilizing the structure of the core light-harvesting complex (LHl) of "
        "photosynthetic bacteria and its subunit (B820)"
    )
    assert first.authors == ["Parkes-Loach, PS", "Majeed, AP", "Law, CJ", "Loach, PA"]
    assert (first.year, first.pages, first.doi) == (2004, "7003-7016", "10.1021/bi049798f")
    assert first.journal == "BIOCHEMISTRY"
    assert first.pmid == "15170338"
    assert (records[1].pmid, records[1].doi) == ("15170339", "10.1021/bi0497291")
    assert first.keywords[0] == "CHEMICALLY SYNTHESIZED POLYPEPTIDES"
    assert first.line == 3


def test_wos_tab_delimited_cr_only_line_ends():
    """Zoological Record tab-delimited export: UTF-8 BOM, CR-only line ends, 321 records."""
    records = parse("wos-tab", "WoS_zoological_final_4.txt")

    assert len(records) == 321
    first = records[0]
    assert first.title.startswith("Effects of winter burning and structural marsh management")
    assert first.authors == ["Gabrey, Steven W.", "Afton, Alan D.", "Wilson, Barry C."]
    assert (first.year, first.journal, first.pages) == (1999, "Wetlands", "594-606")
    assert first.doi == "10.1007/bf03161697"
    assert first.line == 2
    assert records[-1].line == 322
    assert records[-1].title.startswith("Notes on some bird species in forestry experimental plots")


# --- CSV / TSV -------------------------------------------------------------------------


def test_csv_embase_preset_splits_source():
    records = parse("asreview-demo", "embase.csv")

    assert len(records) == 6
    first = records[0]
    assert (
        first.title
        == "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound"
    )
    assert first.authors == ["Liu R.", "Adler D.G."]
    assert (first.journal, first.year, first.volume, first.issue, first.pages) == (
        "Endoscopic Ultrasound",
        2014,
        "3",
        "3",
        "152-160",
    )
    assert "bronchogenic duplication cyst (diagnosis, surgery)" in first.keywords


def test_csv_embase_newlines_inside_quoted_cells():
    plain = parse("asreview-demo", "embase.csv")
    with_newlines = parse("asreview-demo", "embase_newpage.csv")

    assert [record.title for record in with_newlines] == [record.title for record in plain]
    assert with_newlines[1].line == 5  # row 1 spans lines 2-4


def test_csv_generic_asreview_list_literals_and_labels():
    records = parse("asreview-demo", "generic_labels.csv")

    assert len(records) == 6
    assert records[0].authors == ["Marx, Karl", "Lindgren, Astrid"]
    assert (records[0].year, records[0].journal, records[0].pages) == (2014, "Lorem", "e0815")
    assert records[0].raw["label_included"] == ["1"]


def test_csv_semicolon_and_tab_tables_read_alike():
    semicolon = parse("asreview-demo", "generic_semicolon.csv")
    tab = parse("asreview-demo", "generic_tab.tsv")

    assert [record.title for record in semicolon] == [
        "Title of reference",
        "The title of the reference",
    ]
    assert [record.title for record in tab] == [record.title for record in semicolon]
    assert tab[1].authors == semicolon[1].authors == ["Marxus, Karlus", "Lindgren, Astrid"]


def test_csv_missing_values_keep_every_row():
    """Four rows, two without a title: four records; empty cells are empty fields."""
    records = parse("asreview-demo", "missing_values.csv")

    assert [record.title for record in records] == [
        "Title of reference",
        "",
        "Title of reference",
        "",
    ]
    assert records[0].abstract == ""
    assert records[1].abstract.startswith("BACKGROUND: Lorem ipsum")


def test_csv_duplicate_records_file_keeps_every_row():
    """14 rows, some repeating a title or a DOI, some blank but for a DOI: de-duplication
    is not the importer's job, so all 14 are records."""
    records = parse("asreview-demo", "duplicate_records.csv")

    assert len(records) == 14
    assert [record.title for record in records[:3]] == ["a", "a", "b"]
    assert records[-1].title == "" and records[-1].raw["doi"] == ["10.7"]


def test_csv_colrev_ieee_springer_pubmed_presets():
    ieee = parse("colrev", "search_sources", "ieee_csv.csv")
    springer = parse("colrev", "search_sources", "springer_csv.csv")
    pubmed = parse("colrev", "search_sources", "pubmed_csv.csv")

    assert len(ieee) == 2
    assert (
        ieee[0].title
        == "Rural Outsourcing: Delivering ITO and BPO Services from Remote Domestic Locations"
    )
    assert ieee[0].authors == ["Joseph Rottman", "Erran Carmel", "Mary Lacity"]
    assert ieee[0].journal == "Computer"
    assert springer[0].authors == ["Andy Smith", "Tom Weber"]  # written "Andy SmithTom Weber"
    assert (springer[0].doi, springer[0].volume, springer[0].issue) == ("10.1007/11111", "17", "3")
    assert (pubmed[0].pmid, pubmed[0].year, pubmed[0].doi) == (
        "11223344",
        2021,
        "10.1111/nature1111",
    )
    assert (pubmed[0].volume, pubmed[0].issue, pubmed[0].pages) == ("1", "2", "10-11")
    assert pubmed[0].authors == ["Smith A", "Walter B"]


# --- Detection -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("asreview-demo", "scopus.ris"), "ris"),
        (("asreview-demo", "ovid_psycinfo.ris"), "ris"),
        (("asreview-demo", "pubmed_endnote.txt"), "ris"),
        (("asreview-demo", "web_of_science.txt"), "ris"),
        (("asreview-demo", "pubmed.xml"), "pubmed-xml"),
        (("asreview-demo", "embase.csv"), "csv"),
        (("asreview-demo", "generic_tab.tsv"), "csv"),
        (("biopython", "Medline", "pubmed_result2.txt"), "nbib"),
        (("biopython", "Entrez", "pubmed1.xml"), "pubmed-xml"),
        (("colrev", "search_sources", "eric_nbib.nbib"), "nbib"),
        (("colrev", "search_sources", "ais_enl.txt"), "enw"),
        (("colrev", "search_sources", "web_of_science_bib.bib"), "bibtex"),
        (("colrev", "search_sources", "taylor_and_francis_bib.bib"), "bibtex"),
        (("colrev", "search_sources", "pubmed_csv.csv"), "csv"),
        (("endnote-xml", "respiratory_first40.xml"), "endnote-xml"),
        (("rispy", "example_wos.ris"), "wos"),
        (("rispy", "example_bom.ris"), "ris"),
        (("wos-tab", "WoS_zoological_final_4.txt"), "wos-tab"),
    ],
)
def test_detect_format_real_files(parts, expected):
    assert detect_format(shared_data("formats", *parts)) == expected


def test_detect_format_json_is_not_a_format():
    with pytest.raises(ParseError, match="no export format we recognise"):
        detect_format(shared_data("formats", "colrev", "search_sources", "google_scholar.json"))
