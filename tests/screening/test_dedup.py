"""De-duplication rules (screening/dedup.py): pure Python, no database."""

import csv
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.bibrecord import ParsedRecord
from screening.dedup import (
    _JOURNAL_STOP,
    MAX_BLOCK,
    NEVER_MERGE_RULES,
    REVIEW_THRESHOLD,
    DedupRecord,
    _candidate_pairs,
    _compare,
    _journal_names,
    _prepare,
    _same_journal,
    _sort_key,
    _worth_comparing,
    canonical_order,
    deduplicate,
    normalise_title,
)
from tests.shared_data import shared_data

TITLE = "Intensive caseworker support and the duration of unemployment: a randomised trial"


def record(id, **fields):
    defaults = {
        "title": TITLE,
        "authors": ("Hainmueller, Jens", "Hangartner, Dominik"),
        "year": 2016,
        "journal": "Journal of Public Economics",
        "volume": "141",
        "issue": "3",
        "pages": "1-20",
    }
    return DedupRecord(id=id, **(defaults | fields))


def merged(result, a, b):
    return any(a in group and b in group for group in result.groups)


def reviewed(result, a, b):
    return any({pair.a, pair.b} == {a, b} for pair in result.review_pairs)


# --- shared real data -------------------------------------------------------


def read_benchmark_set(name):
    folder = shared_data("dedup", name)
    with open(folder / "records_pre_merged.csv", encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    records = [
        DedupRecord(
            id=row["ID"],
            title=row["title"],
            authors=tuple(a for a in row["author"].split(" and ") if a.strip()),
            year=int(row["year"]) if row["year"].isdigit() else None,
            journal=row.get("journal") or row.get("booktitle") or "",
            volume=row.get("volume") or "",
            issue=row.get("number") or row.get("issue") or "",
            pages=row.get("pages") or "",
            doi=row.get("doi") or "",
        )
        for row in rows
    ]
    with open(folder / "merged_record_ids.csv", encoding="utf-8", newline="") as file:
        truth = [set(row["merged_ids"].split(";")) for row in csv.DictReader(file)]
    return records, truth


def read_bib(text):
    """A tiny BibTeX reader for the test (the project's parsers are tested on their own)."""
    field_start = re.compile(r"\s*([\w.]+)\s*=\s*\{")
    comma = re.compile(r"\s*,?")
    entries = []
    for entry in re.finditer(r"@\w+\s*\{\s*([^,\s]+)\s*,", text):
        fields, position = {"ID": entry[1]}, entry.end()
        while field := field_start.match(text, position):
            depth, position = 1, field.end()
            while depth:  # to the brace that closes the value
                depth += {"{": 1, "}": -1}.get(text[position], 0)
                position += 1
            fields[field[1].lower()] = " ".join(text[field.end() : position - 1].split())
            position = comma.match(text, position).end()
        entries.append(fields)
    return entries


def test_special_cases_merge_exactly_the_true_groups():
    records, truth = read_benchmark_set("special_cases")

    result = deduplicate(records)

    assert [set(group) for group in result.groups] == truth
    # Same title, one year and one DOI apart: a yearly minitrack introduction, left to a person.
    assert reviewed(result, "id_0000003", "id_0000004")


@pytest.mark.parametrize("name", ["cytology_screening", "haematology"])
def test_sra_sets_merge_no_record_outside_its_true_group(name):
    records, truth = read_benchmark_set(name)
    true_group = {record_id: index for index, group in enumerate(truth) for record_id in group}

    result = deduplicate(records)

    for pair in result.auto_pairs:
        assert pair.a in true_group and true_group[pair.a] == true_group.get(pair.b), pair


def test_colrev_dedupe_records_leave_nineteen_unique():
    text = shared_data("formats", "colrev", "dedupe_records.bib").read_text(encoding="utf-8")
    entries = read_bib(text)
    records = [
        DedupRecord(
            id=entry["ID"],
            title=entry.get("title", ""),
            authors=tuple(entry.get("author", "").split(" and ")),
            year=int(entry["year"]) if entry.get("year", "").isdigit() else None,
            journal=entry.get("journal") or entry.get("booktitle", ""),
            volume=entry.get("volume", ""),
            issue=entry.get("number", ""),
            pages=entry.get("pages", ""),
            doi=entry.get("doi", ""),
        )
        for entry in entries
    ]

    result = deduplicate(records)

    assert len(records) == 21
    assert len(records) - len(result.canonical_of()) == 19
    assert sorted(map(sorted, result.groups)) == [
        ["PresterWagnerSchryen2018", "PresterWagnerSchryen2018a"],
        ["Staehr2010", "Staehr2010a"],
    ]


# --- what merges -------------------------------------------------------------


def test_same_doi_merges_whatever_the_rest():
    result = deduplicate(
        [record(1, doi="10.1000/abc"), record(2, doi="10.1000/ABC", year=None, pages="")]
    )

    assert result.groups == [[1, 2]]
    assert result.auto_pairs[0].reason == "same DOI"


def test_same_pmid_merges():
    result = deduplicate([record(1, pmid="123456"), record(2, pmid="123456", volume="")])

    assert result.groups == [[1, 2]]
    assert result.auto_pairs[0].reason == "same PMID"


def test_markup_diacritics_case_and_punctuation_do_not_hide_a_duplicate():
    titles = [
        "<i>In vitro</i> effects of &beta;-blockers on Müller cells",
        "In vitro effects of β-blockers on Muller cells.",
        r"In vitro effects of $\beta$-blockers on M{\"u}ller cells",
        "IN VITRO EFFECTS OF BETA BLOCKERS ON MÜLLER CELLS [Article in German]",
    ]

    result = deduplicate([record(i, title=title) for i, title in enumerate(titles)])

    assert result.groups == [[0, 1, 2, 3]]
    assert {normalise_title(title) for title in titles} == {
        "in vitro effects of beta blockers on muller cells"
    }


def test_author_formats_agree():
    names = ["Zuna, Rosemary E.", "Zuna RE", "R. E. Zuna", "Rosemary E Zuna", "ZUNA, R.E."]

    result = deduplicate([record(i, authors=(name,)) for i, name in enumerate(names)])

    assert result.groups == [[0, 1, 2, 3, 4]]


def test_abbreviated_page_range_agrees_with_the_full_one():
    result = deduplicate([record(1, pages="123-9", title=TITLE + "s"), record(2, pages="123-129")])

    assert result.groups == [[1, 2]]
    assert "pages equal" in result.auto_pairs[0].reason


def test_missing_year_still_merges_on_title_and_author():
    result = deduplicate([record(1), record(2, year=None, volume="", issue="", pages="")])

    assert result.groups == [[1, 2]]


def test_typo_in_title_merges_when_the_citation_agrees():
    result = deduplicate([record(1), record(2, title=TITLE.replace("duration", "durration"))])

    assert result.groups == [[1, 2]]


def test_online_first_year_merges_when_volume_and_page_agree():
    result = deduplicate([record(1, year=2015), record(2, year=2016)])

    assert result.groups == [[1, 2]]


def test_garbled_first_author_merges_when_citation_and_coauthors_agree():
    result = deduplicate(
        [
            record(1, authors=("Xi, L F", "Kiviat, N B", "Galloway, D A"), pages="324-331"),
            record(2, authors=("Long, F X", "Kiviat, N B", "Galloway, D A"), pages="324-331"),
            # Page 1 is no citation: many electronic journals start every article there.
            record(3, authors=("Long, F X", "Kiviat, N B", "Galloway, D A"), volume="7"),
            record(4, authors=("Xi, L F", "Kiviat, N B", "Galloway, D A"), volume="7"),
        ]
    )

    assert result.groups == [[1, 2]]


def test_british_and_american_spellings_meet():
    british = (
        "Haemolytic uraemic syndrome and oesophageal tumours in paediatric care: a randomised trial"
    )
    american = (
        "Hemolytic uremic syndrome and esophageal tumors in pediatric care: a randomized trial"
    )

    assert normalise_title(british) == normalise_title(american)
    result = deduplicate([record(1, title=british, pages=""), record(2, title=american, pages="")])
    assert result.groups == [[1, 2]]


def test_same_last_page_excuses_a_typo_in_the_first():
    result = deduplicate([record(1, pages="2297-2308"), record(2, pages="2097-2308")])

    assert result.groups == [[1, 2]]
    assert "pages equal" in result.auto_pairs[0].reason


def test_cut_subtitle_merges_when_volume_and_last_page_agree():
    title = "Successful isolated liver transplantation in a child with atypical HUS"
    result = deduplicate(
        [
            record(1, title=title + ": Brief communication", pages="2141-2147"),
            record(2, title=title, pages="2142-2147"),
        ]
    )

    assert result.groups == [[1, 2]]


def test_year_one_off_is_no_conflict_when_the_volume_agrees():
    # Online-first in 2015, printed in volume 141 in 2016; one record lost its pages.
    result = deduplicate([record(1, year=2015, pages=""), record(2, pages="324-331")])

    assert merged(result, 1, 2)
    # Without the volume, one year apart stays for a person (a conference paper, then a journal's).
    conference = "Proceedings of the 12th Annual Meeting of the Labour Economics Society"
    result = deduplicate(
        [record(1, year=2015, volume="", pages="", journal=conference), record(2, pages="")]
    )
    assert result.groups == []


def test_year_one_off_merges_when_the_byline_and_journal_agree():
    # Proceedings: the meeting's year in one database, the volume's in another.
    conference = "Proceedings of the 12th Annual Meeting of the Labour Economics Society"
    one = record(1, year=2015, volume="", issue="", pages="", journal=conference)
    other = record(2, volume="", issue="", pages="13-20", journal=conference)

    result = deduplicate([one, other])

    assert merged(result, 1, 2)
    # One author is not a byline that tells works apart.
    single = ("Hainmueller, Jens",)
    result = deduplicate([replace(one, authors=single), replace(other, authors=single)])
    assert result.groups == []


def test_preprint_merges_with_its_publication_a_year_later():
    preprint = record(1, year=2015, journal="medRxiv", volume="", issue="", pages="")

    result = deduplicate([preprint, record(2, doi="10.1016/j.jpubeco.2016.07.001")])

    assert merged(result, 1, 2)
    # With its own DOI, a preprint is a different DOI: a person decides.
    result = deduplicate(
        [replace(preprint, doi="10.1101/2015.01.01.1"), record(2, doi="10.1016/j.x.2016.1")]
    )
    assert result.groups == []
    assert reviewed(result, 1, 2)


def test_same_title_byline_journal_and_year_merge_without_volume_and_with_a_page_number():
    # One database gives the abstract's number, another the pages; no DOI on either.
    result = deduplicate([record(1, pages="271", volume="", issue=""), record(2, pages="765-770")])

    assert merged(result, 1, 2)
    # In one volume, a page and a range are an abstract and the article that followed it.
    result = deduplicate([record(1, pages="271"), record(2, pages="765-770")])
    assert result.groups == []


def test_subtitle_cut_merges_when_byline_journal_and_year_agree():
    short = record(1, title=TITLE.split(":")[0] + " among the long-term unemployed", pages="")
    full = record(2, title=short.title + ": a randomised trial")

    result = deduplicate([short, full])

    assert merged(result, 1, 2)
    result = deduplicate([short, replace(full, year=2017)])
    assert result.groups == []


def test_translated_title_with_the_original_in_brackets_meets_the_original():
    original = "Intensiv sagsbehandlerstøtte og varigheden af arbejdsløshed"
    english = record(1, title=f"{TITLE} [{original}]", pages="")
    danish = record(2, title=original)

    result = deduplicate([english, danish])

    assert merged(result, 1, 2)
    # A database's note in brackets is not an original title.
    assert deduplicate([record(3, title=f"{TITLE} [Review] [33 refs]"), danish]).groups == []


def test_whole_page_range_carries_a_weaker_title():
    # A section heading in one database, a translated title in another: the same pages of a volume.
    result = deduplicate(
        [
            record(1, title="Atypical hemolytic-uremic syndrome", pages="1676-1687"),
            record(2, title="MEDICAL PROGRESS Atypical Hemolytic Uremic Syndrome", pages="1676-87"),
            record(
                3, title="Treatment of hepatitis C in kidney transplant recipients", pages="30-38"
            ),
            record(
                4,
                title="[Treatment of hepatitis C virus infection in renal transplant recipients]. "
                "[German]",
                pages="30-38",
            ),
        ]
    )

    assert result.groups == [[1, 2], [3, 4]]


def test_whole_page_range_needs_several_pages_not_page_one_and_one_journal():
    weaker = "MEDICAL PROGRESS Atypical Hemolytic Uremic Syndrome"
    title = "Atypical hemolytic-uremic syndrome"
    for first, second in [
        ({"pages": "1676"}, {"pages": "1676"}),  # one page: abstracts share pages
        ({"pages": "1-12"}, {"pages": "1-12"}),  # every article of an e-journal starts at 1
        ({"journal": "Kidney Int"}, {"journal": "Blood"}),
    ]:
        first.setdefault("pages", "1676-1687")
        second.setdefault("pages", "1676-1687")
        result = deduplicate([record(1, title=title, **first), record(2, title=weaker, **second)])

        assert result.groups == [], (first, second)


def test_study_group_and_its_chair_merge_when_the_whole_range_agrees():
    result = deduplicate(
        [
            record(1, authors=("Group, ASCUS-LSIL Triage Study (ALTS)",), pages="1383-1392"),
            record(2, authors=("ASCUS-LSIL, Triage Study",), pages="1383-1392"),
            record(3, authors=("Solomon, D",), pages="1383-92"),
            # The first page alone is not enough: letters on one page share a title.
            record(4, authors=("Schiffman, M",), pages="1383"),
        ]
    )

    assert result.groups == [[1, 2, 3]]


def test_author_list_agrees_when_databases_split_names_differently():
    result = deduplicate(
        [
            record(1, authors=("Santos, A L", "Derchain, S F", "Sarian, L O", "Martins, M R")),
            record(
                2,
                authors=(
                    "Luis Ferreira, Santos A",
                    "Francoise Mauricette, Derchain S",
                    "Otavio, Sarian L",
                    "Roberto, Martins M",
                ),
            ),
        ]
    )

    assert result.groups == [[1, 2]]


def test_conference_abstract_with_page_and_abstract_number_merges():
    byline = ("Davin, J. C.", "Groothoff, J. W.", "Bemelman, F. J.")
    abstract = {"authors": byline, "volume": "15", "issue": ""}
    result = deduplicate([record(1, pages="22-22", **abstract), record(2, pages="52", **abstract)])

    assert result.groups == [[1, 2]]


@pytest.mark.parametrize(
    "difference",
    [
        {"pages": "52-58"},  # an abstract and the article that followed it
        {"issue": "9"},  # two printed items in two issues
        {"authors": ("Davin, J. C.",)},  # one name is not a byline
        {"title": TITLE.replace("randomised", "pilot")},  # the title must carry the merge
    ],
)
def test_different_single_pages_need_everything_else(difference):
    byline = ("Davin, J. C.", "Groothoff, J. W.", "Bemelman, F. J.")
    abstract = {"authors": byline, "volume": "15", "issue": "3", "pages": "22"}
    other = abstract | {"pages": "52"} | difference

    result = deduplicate([record(1, **abstract), record(2, **other)])

    assert result.groups == []


def test_two_records_of_one_erratum_merge_but_not_with_the_article():
    title = "Eculizumab for atypical hemolytic-uremic syndrome"
    erratum = {"volume": "360", "issue": "23", "pages": "2487-2487", "year": 2009}
    result = deduplicate(
        [
            record(1, title=title, volume="360", issue="5", pages="542-544", year=2009),
            record(
                2,
                title=f"{title} (New England Journal of Medicine (2009) 360 (542-544))",
                **erratum,
            ),
            record(3, title=f"{title} (vol 360, pg 542, 2009)", **erratum),
        ]
    )

    assert result.groups == [[2, 3]]
    assert not any(merged(result, 1, other) for other in (2, 3))


@pytest.mark.parametrize(
    ("abbreviated", "full"),
    [
        ("N Engl J Med", "New England Journal of Medicine"),
        ("New Engl J Med", "The New England Journal of Medicine"),
        ("Proc Natl Acad Sci U S A", "Proceedings of the National Academy of Sciences of the USA"),
        ("Am J Obstet Gynecol", "American Journal of Obstetrics & Gynecology"),
        ("J Clin Virol", "Journal of clinical virology : the official publication of the PASCV"),
        ("JAMA", "Journal of the American Medical Association"),
        ("BMJ (Clinical research ed.)", "BMJ (Online)"),
        ("Pediatric Nephrology", "Pediatric Nephrology.Conference: 44th Annual Meeting"),
        ("Pan American Journal of Public Health", "Rev Panam Salud Publica/Pan Am J Public Health"),
        ("J Am Med Womens Assoc", "Journal of the American Medical Women's Association (1972)"),
    ],
)
def test_journal_abbreviations_meet_full_names(abbreviated, full):
    assert _same_journal(_journal_names(abbreviated), _journal_names(full))
    assert _same_journal(_journal_names(full), _journal_names(abbreviated))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("British Journal of Haematology", "Haematologica-the Hematology Journal"),
        ("N Engl J Med", "Lancet"),
        ("Kidney International", "American Journal of Kidney Diseases"),
    ],
)
def test_different_journals_differ(one, other):
    assert _same_journal(_journal_names(one), _journal_names(other)) is False


journal_words = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=12).filter(
        lambda word: word not in _JOURNAL_STOP
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(words=journal_words, data=st.data())
def test_an_abbreviation_of_each_word_is_the_same_journal(words, data):
    # ISO 4 style: each word cut to a start of it ("Journal" -> "J", "Clinical" -> "Clin").
    # A cut that is a stop word ("la" of "Lancet") is no abbreviation: keep the word.
    cut = [word[: data.draw(st.integers(1, len(word)))] for word in words]
    cut = [short if short not in _JOURNAL_STOP else words[n] for n, short in enumerate(cut)]
    full = " ".join(word.capitalize() for word in words)

    assert _same_journal(_journal_names(" ".join(cut)), _journal_names(full))
    assert _same_journal(_journal_names(full), _journal_names(full + " (Online)"))


@pytest.mark.parametrize("name", ["cytology_screening", "haematology", "special_cases"])
def test_worth_comparing_keeps_every_pair_compare_would_score(name):
    records, _ = read_benchmark_set(name)
    prepared = sorted(map(_prepare, records), key=_sort_key)
    title_keys = [p.title_key for p in prepared]
    candidates = dict(_candidate_pairs(prepared, None))

    kept = {
        (i, j): similarity
        for i, partners in candidates.items()
        for j, similarity in _worth_comparing(
            prepared[i], partners, prepared, title_keys, REVIEW_THRESHOLD
        )
    }

    scored = {
        (i, j): _compare(prepared[i], prepared[j], REVIEW_THRESHOLD)
        for i, partners in candidates.items()
        for j in partners
    }
    scored = {pair: candidate for pair, candidate in scored.items() if candidate is not None}
    assert scored.keys() <= kept.keys()
    # The similarity handed on is the one _compare would have computed itself.
    for (i, j), similarity in kept.items():
        assert _compare(prepared[i], prepared[j], REVIEW_THRESHOLD, similarity) == scored.get(
            (i, j)
        )


def test_deduplicate_reads_its_records_once_so_they_can_stream():
    records = [record(1), record(2), record(3, title="Something else entirely")]

    streamed = deduplicate(iter(records))

    assert streamed == deduplicate(records)
    assert streamed.groups == [[1, 2]]


def test_deduplicate_refuses_a_repeated_id_in_a_stream():
    with pytest.raises(ValueError, match="unique"):
        deduplicate(record(n) for n in (1, 2, 1))


def test_a_huge_block_of_titles_ending_alike_still_finds_a_typo_near_the_start():
    ending = " and the atypical hemolytic uremic syndrome"
    # Sorted by their start, these titles stand between the two with the typo.
    starts = [f"Tissue factor {n}" for n in range(MAX_BLOCK * 3)]
    records = [
        record(i, title=start + ending, authors=(), year=None) for i, start in enumerate(starts)
    ]
    records += [
        record("a", title="Thrombomodulin mutations" + ending, authors=(), year=None),
        record("b", title="Trhombomodulin mutations" + ending, authors=(), year=None),
    ]

    prepared = [_prepare(r) for r in records]
    pairs = dict(_candidate_pairs(prepared, None))

    assert len(records) - 1 in pairs[len(records) - 2]


def test_eval_script_prints_one_json_line_of_figures():
    folder = shared_data("dedup", "special_cases")
    script = Path(__file__).resolve().parents[2] / "bench" / "dedup_eval.py"

    completed = subprocess.run(
        [sys.executable, str(script), str(folder)], capture_output=True, text=True, check=True
    )

    lines = completed.stdout.splitlines()
    assert len(lines) == 1
    figures = json.loads(lines[0])
    assert set(figures) == {"records", "sensitivity", "specificity", "seconds", "review_pairs"}
    assert figures["records"] == 12
    assert figures["sensitivity"] == figures["specificity"] == 1.0


# --- false-positive guards ---------------------------------------------------


def test_same_title_with_different_dois_is_never_merged():
    result = deduplicate([record(1, doi="10.1000/one"), record(2, doi="10.1000/two")])

    assert result.groups == []
    assert reviewed(result, 1, 2)
    assert "different DOIs" in result.review_pairs[0].reason


def test_different_pmids_are_never_merged():
    result = deduplicate([record(1, pmid="111"), record(2, pmid="222")])

    assert result.groups == []


@pytest.mark.parametrize(
    "notice",
    [
        f"Erratum: {TITLE}",
        f"Correction to: {TITLE}",
        f"{TITLE} (vol 141, pg 1, 2016)",
        f"Reply to: {TITLE}",
        f"{TITLE} - Authors' reply",
        f"Comment on: {TITLE}",
        f"Retraction note: {TITLE}",
    ],
)
def test_notices_are_not_merged_with_their_article(notice):
    # Even on the same page: a letter and its reply often share it.
    result = deduplicate([record(1), record(2, title=notice)])

    assert result.groups == []


def test_erratum_note_and_retracted_mark_still_describe_the_article():
    result = deduplicate(
        [
            record(1),
            record(2, title=TITLE + ". [Erratum appears in J Public Econ 2017;142:5]"),
            record(3, title="Retracted: " + TITLE, doi=""),
        ]
    )

    assert result.groups == [[1, 2, 3]]


def test_conference_abstract_and_journal_article_are_not_merged():
    result = deduplicate(
        [
            record(1, year=2003, journal="AMCIS", volume="", issue="", pages=""),
            record(2, year=2004, journal="J Glob Inf Tech Man", volume="7", pages="47-65"),
        ]
    )

    assert result.groups == []
    assert "not merged because the years are one apart" in result.review_pairs[0].reason


def test_same_title_years_apart_is_not_merged():
    result = deduplicate([record(1, year=2010), record(2, year=2014)])

    assert result.groups == []


@pytest.mark.parametrize("title", ["Editorial", "Introduction", "Book review", "Reply", "Index"])
def test_generic_titles_merge_only_when_everything_agrees(title):
    result = deduplicate(
        [
            record(1, title=title),
            record(2, title=title, pages="21-22"),
            record(3, title=title, volume="", issue="", pages=""),
            record(4, title=title),
        ]
    )

    assert result.groups == [[1, 4]]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Labour market policy in Denmark. Part 1", "Labour market policy in Denmark. Part 2"),
        ("Labour market policy in Denmark, part I", "Labour market policy in Denmark, part II"),
        (
            "Job search: a 5-year follow-up of the trial",
            "Job search: a 10-year follow-up of the trial",
        ),
    ],
)
def test_series_with_different_numbers_are_not_merged(first, second):
    result = deduplicate([record(1, title=first, pages=""), record(2, title=second, pages="")])

    assert result.groups == []


@pytest.mark.parametrize(
    "difference", [{"volume": "142"}, {"issue": "4", "pages": "30-41"}, {"pages": "21-40"}]
)
def test_different_volume_issue_or_pages_are_not_merged(difference):
    result = deduplicate([record(1), record(2, **difference)])

    assert result.groups == []


def test_different_authors_are_not_merged():
    result = deduplicate(
        [
            record(1, authors=("Edey, M. M.",)),
            record(2, authors=("Esmon, C. T.", "Conway, E. M.")),
        ]
    )

    assert result.groups == []


def test_only_a_title_is_not_enough():
    bare = {"authors": (), "year": None, "volume": "", "issue": "", "pages": ""}

    result = deduplicate([record(1, **bare), record(2, **bare)])

    assert result.groups == []
    assert "only the title agrees" in result.review_pairs[0].reason


def test_similar_titles_of_one_group_are_left_for_review():
    result = deduplicate(
        [
            record(1, title="Eculizumab in adult patients with atypical HUS", pages=""),
            record(2, title="Eculizumab in adolescent patients with atypical HUS", pages=""),
        ]
    )

    assert result.groups == []


def test_records_without_title_merge_only_on_identifiers():
    result = deduplicate([record(1, title=""), record(2, title=""), record(3, title="", doi="")])

    assert result.groups == []


# --- grouping, canonical record, restrictions --------------------------------


def test_no_chain_joins_two_different_dois():
    result = deduplicate([record(1, doi="10.1000/one"), record(2), record(3, doi="10.1000/two")])

    for group in result.groups:
        assert not {1, 3} <= set(group)
    assert result.groups == [[1, 2]]
    assert reviewed(result, 2, 3)


def test_canonical_record_is_the_most_complete_then_the_earliest():
    records = [record(5, pages=""), record(3, issue=""), record(4, doi="10.1000/x"), record(9)]

    assert canonical_order(records) == [4, 3, 5, 9]
    assert deduplicate(records).groups == [[4, 3, 5, 9]]


def test_canonical_record_was_there_before_the_import():
    records = [record(1, pages=""), record(2, doi="10.1000/x")]

    result = deduplicate(records, new_ids={2})

    assert result.groups == [[1, 2]]
    assert canonical_order(records, new_ids={2}) == [1, 2]


def test_new_ids_compare_only_pairs_with_a_new_record():
    records = [record(1), record(2), record(3, title="Something else entirely", authors=("A, B",))]

    assert deduplicate(records, new_ids={3}).auto_pairs == []
    assert [(p.a, p.b) for p in deduplicate(records, new_ids={2}).auto_pairs] == [(1, 2)]


def test_new_record_does_not_join_two_existing_records():
    result = deduplicate([record(1), record(2), record(3)], new_ids={3})

    assert len(result.groups) == 1 and len(result.groups[0]) == 2
    assert "would join two existing records" in result.review_pairs[0].reason


def test_known_distinct_pair_is_neither_merged_nor_offered_again():
    result = deduplicate([record(1), record(2), record(3)], known_distinct=[(1, 3)])

    assert not any(set(group) >= {1, 3} for group in result.groups)
    assert not reviewed(result, 1, 3)


def test_from_parsed_reads_the_shared_record_shape():
    parsed = ParsedRecord(title="A title", authors=["Zuna, R"], year=2001, doi="doi:10.1000/ABC")

    assert DedupRecord.from_parsed(7, parsed) == DedupRecord(
        id=7, title="A title", authors=("Zuna, R",), year=2001, doi="10.1000/abc"
    )


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="unique"):
        deduplicate([record(1), record(1)])
    with pytest.raises(ValueError, match="threshold"):
        deduplicate([record(1)], auto_threshold=0.8, review_threshold=0.9)


def test_a_huge_block_is_compared_only_between_neighbours():
    # 3,000 untitled editorials from one journal: all pairs would be 4.5 million.
    records = [record(i, title="Editorial", authors=(), year=None) for i in range(3000)]

    pairs = dict(_candidate_pairs([_prepare(r) for r in records], None))

    assert len(pairs) < 3000 * 20


# --- properties ----------------------------------------------------------------

TITLES = [
    TITLE,
    TITLE.upper(),
    TITLE.replace("trial", "tiral"),
    "Editorial",
    "Erratum: " + TITLE,
    "Caseworker caseloads and job finding. Part 1",
    "Caseworker caseloads and job finding. Part 2",
    "",
]
AUTHORS = [
    (),
    ("Hainmueller, Jens",),
    ("Hainmueller J", "Hangartner D"),
    ("Edey, M.",),
    ("Edey, M.", "Hangartner, D", "Hainmueller, J"),
]

fields = st.fixed_dictionaries(
    {
        "title": st.sampled_from(TITLES),
        "authors": st.sampled_from(AUTHORS),
        "year": st.sampled_from([None, 2015, 2016, 2018]),
        "volume": st.sampled_from(["", "141", "142"]),
        "issue": st.sampled_from(["", "3"]),
        "pages": st.sampled_from(["", "1-20", "21-40", "1-2", "124-130", "123-130", "22", "52"]),
        "journal": st.sampled_from(["", "Journal of Public Economics", "J Public Econ", "Lancet"]),
        "doi": st.sampled_from(["", "", "10.1000/one", "10.1000/two"]),
        "pmid": st.sampled_from(["", "", "111", "222"]),
    }
)
record_lists = st.lists(fields, max_size=12).map(
    lambda rows: [DedupRecord(id=i, **row) for i, row in enumerate(rows)]
)


def comparable(result):
    return (result.auto_pairs, result.review_pairs, result.groups)


@settings(max_examples=100, deadline=None)
@given(records=record_lists, data=st.data())
def test_result_does_not_depend_on_input_order(records, data):
    shuffled = data.draw(st.permutations(records))

    assert comparable(deduplicate(shuffled)) == comparable(deduplicate(records))


@settings(max_examples=200, deadline=None)
@given(first=fields, second=fields)
def test_comparison_is_symmetric(first, second):
    a, b = _prepare(DedupRecord(id=1, **first)), _prepare(DedupRecord(id=2, **second))

    forward, backward = _compare(a, b, 0.85), _compare(b, a, 0.85)

    assert (forward is None) == (backward is None)
    if forward is not None:
        assert forward.score == pytest.approx(backward.score)
        assert sorted(forward.guards) == sorted(backward.guards)


@settings(max_examples=100, deadline=None)
@given(records=record_lists)
def test_pairs_and_groups_are_consistent(records):
    result = deduplicate(records)
    pairs = result.auto_pairs + result.review_pairs
    group_of = {member: n for n, group in enumerate(result.groups) for member in group}

    assert all(pair.a != pair.b for pair in pairs)
    assert len({frozenset((p.a, p.b)) for p in pairs}) == len(pairs)
    # Groups partition exactly the records that merged automatically.
    assert sum(map(len, result.groups)) == len(group_of)
    assert all(len(group) >= 2 for group in result.groups)
    assert set(group_of) == {r for p in result.auto_pairs for r in (p.a, p.b)}
    assert all(group_of[p.a] == group_of[p.b] for p in result.auto_pairs)
    assert not any(group_of.get(p.a, -1) == group_of.get(p.b, -2) for p in result.review_pairs)


@settings(max_examples=100, deadline=None)
@given(records=record_lists)
def test_different_dois_or_pmids_never_end_in_one_group(records):
    by_id = {r.id: r for r in records}

    result = deduplicate(records)

    for group in result.groups:
        assert len({by_id[m].doi for m in group} - {""}) <= 1
        assert len({by_id[m].pmid for m in group} - {""}) <= 1


@settings(max_examples=100, deadline=None)
@given(records=record_lists, title=st.sampled_from(TITLES[:4]), twin=fields)
def test_identical_doi_is_merged(records, title, twin):
    # Two records sharing a DOI (and their title) among others without identifiers.
    others = [replace(r, doi="", pmid="") for r in records]
    pair = [
        DedupRecord(id="x", title=title, doi="10.1000/shared"),
        DedupRecord(id="y", **{**twin, "title": title, "doi": "10.1000/SHARED", "pmid": ""}),
    ]

    result = deduplicate(others + pair)

    assert merged(result, "x", "y")


@settings(max_examples=100, deadline=None)
@given(records=record_lists, data=st.data())
def test_new_ids_restrict_pairs_to_new_records(records, data):
    new_ids = data.draw(st.sets(st.sampled_from([r.id for r in records]))) if records else set()

    result = deduplicate(records, new_ids=new_ids)

    for pair in result.auto_pairs + result.review_pairs:
        assert pair.a in new_ids or pair.b in new_ids
    for group in result.groups:
        assert len([m for m in group if m not in new_ids]) <= 1
        assert group[0] not in new_ids or all(m in new_ids for m in group)


# --- what never merges without a person (NEVER_MERGE_RULES) -----------------

_title_words = st.lists(
    st.sampled_from(["cervical", "screening", "cohort", "outcomes", "trial", "women", "risk"]),
    min_size=4,
    max_size=10,
).map(" ".join)


def test_every_never_merge_rule_is_applied_by_default_and_named():
    assert set(NEVER_MERGE_RULES) == {"different DOIs", "different PMIDs", "notice vs article"}
    with pytest.raises(ValueError):
        deduplicate([], never_merge=["no such rule"])


@settings(max_examples=40, deadline=None)
@given(title=_title_words, left=st.integers(1000, 9999), right=st.integers(1000, 9999))
def test_rule_different_dois_keeps_any_twin_records_apart(title, left, right):
    one = record(1, title=title, doi=f"10.1000/{left}")
    other = record(2, title=title, doi=f"10.1000/{left if left == right else right}")

    result = deduplicate([one, other])

    assert merged(result, 1, 2) == (left == right)
    if left != right:
        assert reviewed(result, 1, 2)
        # The rule, and nothing else, keeps these twins apart.
        assert merged(deduplicate([one, other], never_merge=["different PMIDs"]), 1, 2)


@settings(max_examples=40, deadline=None)
@given(
    title=_title_words,
    prefix=st.sampled_from(
        ["Erratum: ", "Correction to: ", "Corrigendum: ", "Retraction: ", "Notice of retraction: ",
         "Expression of concern: ", "Comment on: ", "Reply: "]
    ),
    same_doi=st.booleans(),
)  # fmt: skip
def test_rule_notice_vs_article_keeps_a_notice_from_its_article(title, prefix, same_doi):
    doi = "10.1000/x" if same_doi else ""
    article = record(1, title=title, doi=doi)
    notice = record(2, title=prefix + title, doi=doi, pages="")

    result = deduplicate([article, notice])

    assert result.groups == []
    # Offered to a person when the titles are alike enough, with the rule named.
    assert all("notice vs article" in pair.reason for pair in result.review_pairs)
    if same_doi:
        assert reviewed(result, 1, 2)


def test_rule_different_pmids_keeps_twins_apart_unless_left_out():
    one, other = record(1, pmid="111"), record(2, pmid="222")

    assert deduplicate([one, other]).groups == []
    assert merged(deduplicate([one, other], never_merge=["different DOIs"]), 1, 2)


def test_chain_through_a_third_record_never_joins_two_dois():
    # A record without DOI like both would link them: the rule holds for the group too.
    records = [record(1, doi="10.1000/a"), record(2), record(3, doi="10.1000/b")]

    result = deduplicate(records)

    assert not any({1, 3} <= set(group) for group in result.groups)
