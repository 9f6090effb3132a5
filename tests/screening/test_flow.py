"""PRISMA 2020 flow counts: the identities of STANDARDS.md 1.3 on the report's topic 2, each kind
of violation, the SVG diagram, the PRISMA2020 CSV, and properties of consistent flows."""

import csv
import dataclasses
import io
import itertools
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.flow import (
    PRISMA_CSV_FIELDS,
    Count,
    FlowInput,
    Retrieval,
    ScreeningStage,
    Severity,
    SourceCount,
    SourceKind,
    flow_check,
    flow_prisma_csv,
    flow_svg,
)

SVG = "{http://www.w3.org/2000/svg}"


def reported(value):
    return Count(value, reported=True)


# Topic 2 of the report (figure 6.1): 1,008 hits after de-duplication, 54 kept by the title
# screen, 24 by the abstract screen and read in full, 16 included from the search and 3 from
# snowballing, 19 in all. Those numbers are marked reported. Everything else (per-database
# hits, duplicates, reasons, the report that could not be retrieved, the snowballing and
# website counts) is CONSTRUCTED to be plausible and consistent: the report does not give it.
TOPIC2_DATABASES = {
    "Academic Search": 212,
    "EconLit": 301,
    "PsycInfo": 188,
    "Sociological Abstracts/Social Services Abstracts": 97,
    "Social Sciences Citation Index (Web of Science)": 254,
    "SocINDEX": 66,
    "Campbell": 12,
    "ProQuest Dissertations & Theses": 59,
    "IDEAS/RePEc": 83,
    "Netpunkt": 9,
    "Forskningsdatabasen": 14,
    "Oria": 8,
    "NORA": 5,
    "Libris": 11,
    "SwePub": 7,
}  # 1,326 in all; 318 duplicates leave 1,008


def topic2(**changes):
    sources = [SourceCount(name, Count(n)) for name, n in TOPIC2_DATABASES.items()]
    sources += [
        SourceCount("Snowballing", Count(6), SourceKind.SNOWBALLING),
        SourceCount("Institute websites", Count(2), SourceKind.WEBSITE),
    ]
    flow = FlowInput(
        sources=sources,
        duplicates=Count(318),
        stages=[
            ScreeningStage("Title", screened=reported(1008), excluded=Count(954)),
            ScreeningStage(
                "Title and abstract",
                screened=reported(54),
                excluded=Count(30),
                excluded_by_reason={
                    "Not an effect study": 14,
                    "Outcome not employment or education": 9,
                    "Population not unemployed benefit recipients": 7,
                },
            ),
        ],
        fulltext=Retrieval(
            sought=reported(24),
            not_retrieved=Count(1),
            assessed=Count(23),
            excluded=Count(7),
            excluded_by_reason={
                "No causal design": 4,
                "Outcome not employment": 2,
                "Not caseworker-related": 1,
            },
        ),
        other=Retrieval(
            sought=Count(5),
            not_retrieved=Count(0),
            assessed=Count(5),
            excluded=Count(2),
            excluded_by_reason={"No causal design": 2},
        ),
        included_studies=reported(19),
        included_reports=Count(19),
    )
    return dataclasses.replace(flow, **changes)


def replace_stage(flow, index, **changes):
    stages = list(flow.stages)
    stages[index] = dataclasses.replace(stages[index], **changes)
    return dataclasses.replace(flow, stages=stages)


def replace_column(flow, column, **changes):
    return dataclasses.replace(
        flow, **{column: dataclasses.replace(getattr(flow, column), **changes)}
    )


def test_flow_check_topic2_holds():
    flow = topic2()

    assert flow_check(flow) == []
    assert flow.identified_databases == 1326
    assert flow.records_screened == 1008
    assert flow.records_excluded == 954 + 30
    assert (flow.fulltext.included, flow.other.included) == (16, 3)


def changed(where, **changes):
    """Topic 2 with one part changed: the flow (None), a stage (its index) or a column."""
    flow = topic2()
    if where is None:
        return dataclasses.replace(flow, **changes)
    if isinstance(where, int):
        return replace_stage(flow, where, **changes)
    return replace_column(flow, where, **changes)


OTHER_SOUGHT_TOO_MANY = {
    "sought": Count(9),
    "assessed": Count(9),
    "excluded": Count(6),
    "excluded_by_reason": {"No causal design": 6},
}
VIOLATIONS = [
    # (where, changes, (code, box, severity) expected among the problems)
    (None, {"duplicates": Count(300)}, ("H1", "stages[0].screened", "error")),
    (None, {"removed_other": Count(5)}, ("H1", "stages[0].screened", "error")),
    (0, {"excluded": Count(950)}, ("H1", "stages[1].screened", "error")),
    (1, {"excluded": Count(31)}, ("R1", "stages[1].excluded", "error")),
    (1, {"excluded_by_reason": {"Other": 29}}, ("R1", "stages[1].excluded", "error")),
    (0, {"excluded": Count(1009)}, ("R2", "stages[0].excluded", "error")),
    (0, {"excluded_by_rule": Count(955)}, ("T1", "stages[0].excluded_by_rule", "error")),
    ("fulltext", {"sought": Count(25)}, ("S1", "dbr_sought_reports", "warning")),
    ("fulltext", {"assessed": Count(22)}, ("H2", "dbr_assessed", "error")),
    ("fulltext", {"not_retrieved": Count(25)}, ("R2", "dbr_notretrieved_reports", "error")),
    ("fulltext", {"excluded_by_reason": {}}, ("R3", "dbr_excluded", "warning")),
    ("other", {"assessed": Count(4)}, ("H3", "other_assessed", "error")),
    ("other", {"excluded": Count(6)}, ("R2", "other_excluded", "error")),
    ("other", OTHER_SOUGHT_TOO_MANY, ("S2", "other_sought_reports", "warning")),
    (None, {"other": None}, ("O1", "other", "error")),
    (None, {"included_reports": Count(18)}, ("H4", "new_reports", "error")),
    (None, {"included_studies": Count(20)}, ("H7", "new_studies", "error")),
]


@pytest.mark.parametrize(("where", "changes", "expected"), VIOLATIONS)
def test_flow_check_catches_each_violation(where, changes, expected):
    problems = flow_check(changed(where, **changes))

    assert expected in {(p.code, p.box, p.severity.value) for p in problems}


def test_flow_check_message_names_box_and_numbers():
    (problem,) = [p for p in flow_check(topic2(duplicates=Count(300))) if p.code == "H1"]

    assert problem.severity is Severity.ERROR
    assert (problem.expected, problem.actual) == (1026, 1008)
    assert problem.message == (
        "Poster screenet (Title) er 1.008, men poster identificeret (1.326) minus poster fjernet "
        "før screening (300) giver 1.026.",
        "Records screened (Title) is 1,008, but records identified (1,326) minus records removed "
        "before screening (300) gives 1,026.",
    )


def test_flow_check_stage_chain_message_keeps_braces_in_stage_names():
    flow = replace_stage(replace_stage(topic2(), 0, name="Title {v2}"), 0, excluded=Count(950))

    (problem,) = flow_check(flow)

    assert problem.message[1] == (
        "Records screened (Title and abstract) is 54, but records screened (Title {v2}) (1,008) "
        "minus those excluded (950) gives 58."
    )


def test_flow_check_reasons_include_the_stopping_rule():
    flow = replace_stage(
        topic2(), 0, excluded_by_reason={"Off topic": 900}, excluded_by_rule=Count(54)
    )

    assert flow_check(flow) == []
    problems = flow_check(replace_stage(flow, 0, excluded_by_rule=Count(50)))
    assert [(p.code, p.expected, p.actual) for p in problems] == [("R1", 950, 954)]


def test_flow_check_without_stages_compares_sought_with_identified():
    fulltext = replace_column(topic2(), "fulltext", sought=Count(1008), assessed=Count(1007))
    flow = topic2(stages=[], fulltext=fulltext.fulltext)

    problems = flow_check(flow)

    assert [p.code for p in problems] == ["H4"]  # 1007 - 7 + 3 reports, not 19


def test_count_rejects_negative_and_bool():
    with pytest.raises(ValueError):
        Count(-1)
    with pytest.raises(ValueError):
        Count(True)


def svg_texts(document):
    root = ET.fromstring(document.encode())  # noqa: S314 (our own output, not untrusted)
    return root, [element.text or "" for element in root.iter(f"{SVG}text")]


def test_flow_svg_parses_and_shows_every_stage_and_count():
    root, texts = svg_texts(flow_svg(topic2()))
    joined = " ".join(texts)  # long labels wrap over several <text> lines

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "PRISMA 2020 flow diagram"
    desc = root.find(f"{SVG}desc").text
    assert "Records screened (Title and abstract): 54." in desc
    assert "Studies included in review: 19." in desc
    for expected in (
        "Identification of new studies via databases and registers",
        "Identification of new studies via other methods",
        "Records screened (Title)",
        "(n = 1,008†)",
        "(n = 954)",
        "Records screened (Title and abstract)",
        "(n = 54†)",
        "Not an effect study (n = 14)",
        "(n = 24†)",
        "No causal design (n = 4)",
        "ProQuest Dissertations & Theses (n = 59)",
        "Snowballing (n = 6)",
        "Duplicate records removed (n = 318)",
        "Studies included in review (n = 19†)",
        "via other methods (n = 3)",
    ):
        assert expected in joined, expected
    assert any(text.startswith("† Number entered by hand") for text in texts)
    phases = {"Identification", "Screening", "Included"}
    assert phases <= set(texts)


def test_flow_svg_danish_labels_and_numbers():
    root, texts = svg_texts(flow_svg(topic2(), "da"))

    assert root.find(f"{SVG}title").text == "PRISMA 2020-flowdiagram"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "da"
    assert "(n = 1.008†)" in texts
    assert "Poster screenet (Title)" in texts


def test_flow_svg_escapes_source_names():
    flow = topic2()
    flow = dataclasses.replace(flow, sources=[SourceCount("<script>&", Count(1326))])

    document = flow_svg(flow)
    _, texts = svg_texts(document)

    assert "<script" not in document
    assert "&lt;script&gt;&amp;" in document
    assert "<script>& (n = 1,326)" in texts


def test_flow_svg_without_other_column_and_without_reported_counts():
    flow = topic2(
        sources=[SourceCount("EconLit", Count(1326))],
        other=None,
        stages=[ScreeningStage("Title", Count(1008), Count(984))],
        fulltext=replace_column(topic2(), "fulltext", sought=Count(24)).fulltext,
        included_studies=Count(16),
        included_reports=Count(16),
    )

    root, texts = svg_texts(flow_svg(flow, id_prefix="topic2"))

    assert "Identification of new studies via other methods" not in texts
    assert not any("†" in text for text in texts)
    assert root.find(f"{SVG}title").get("id") == "topic2-title"


def test_flow_prisma_csv_maps_topic2():
    rows = flow_prisma_csv(topic2())
    by_key = {row["data"]: row for row in rows if row["data"] != "NA"}

    assert [tuple(row) for row in rows] == [PRISMA_CSV_FIELDS] * len(rows)
    values = {key: row["n"] for key, row in by_key.items()}
    assert values["database_results"] == "1326"
    assert values["database_specific_results"].startswith("Academic Search, 212; EconLit, 301;")
    # No registers: the template's default text, so the Shiny app leaves register detail off.
    assert values["register_specific_results"].startswith("Register 1, xxx;")
    assert values["citations_results"] == "6"
    assert values["website_results"] == "2"
    assert by_key["website_results"]["boxtext"] == "Websites"
    assert values["duplicates"] == "318"
    assert values["records_screened"] == "1008"
    assert values["records_excluded"] == "984"  # title 954 + abstract 30
    assert values["dbr_sought_reports"] == "24"
    assert values["dbr_assessed"] == "23"
    assert values["dbr_excluded"] == (
        "No causal design, 4; Outcome not employment, 2; Not caseworker-related, 1"
    )
    assert values["other_sought_reports"] == "5"
    assert values["other_excluded"] == "No causal design, 2"
    assert (values["new_studies"], values["new_reports"]) == ("19", "19")
    assert (values["previous_studies"], values["total_studies_ma"]) == ("0", "0")


def test_flow_prisma_csv_writes_and_reads_back():
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=PRISMA_CSV_FIELDS)
    writer.writeheader()
    writer.writerows(flow_prisma_csv(topic2()))

    back = list(csv.DictReader(io.StringIO(out.getvalue())))

    assert back == flow_prisma_csv(topic2())
    assert out.getvalue().startswith("data,node,box,description,boxtext,tooltips,url,n\r\n")


def test_flow_prisma_csv_list_labels_lose_separators_and_other_sources_go_to_websites():
    flow = topic2(
        sources=[
            SourceCount("Web of Science; SSCI, 2019", Count(1326)),
            SourceCount("Hand search", Count(8), SourceKind.OTHER),
        ],
        fulltext=replace_column(topic2(), "fulltext", excluded_by_reason={}).fulltext,
    )

    by_key = {row["data"]: row for row in flow_prisma_csv(flow)}

    assert by_key["database_specific_results"]["n"] == "Web of Science SSCI 2019, 1326"
    assert (by_key["website_results"]["n"], by_key["website_results"]["boxtext"]) == (
        "8",
        "Other sources",
    )
    assert by_key["dbr_excluded"]["n"] == "7"  # no reasons: one unlabelled total


# --- properties ---------------------------------------------------------------------------


def partition(draw, total, name):
    """Split `total` into up to three named parts (zero parts allowed)."""
    cuts = sorted(draw(st.lists(st.integers(0, total), max_size=2)))
    bounds = [0, *cuts, total]
    return {f"{name} {i}": high - low for i, (low, high) in enumerate(itertools.pairwise(bounds))}


def retrieval(draw, sought):
    not_retrieved = draw(st.integers(0, sought))
    assessed = sought - not_retrieved
    excluded = draw(st.integers(0, assessed))
    reasons = partition(draw, excluded, "Reason") if excluded else {}
    return Retrieval(Count(sought), Count(not_retrieved), Count(assessed), Count(excluded), reasons)


@st.composite
def consistent_flows(draw):
    counts = draw(st.lists(st.integers(0, 400), min_size=1, max_size=4))
    names = draw(st.lists(st.text(max_size=12), min_size=len(counts), max_size=len(counts)))
    sources = [SourceCount(name, Count(n)) for name, n in zip(names, counts, strict=True)]
    left = sum(counts)
    duplicates = draw(st.integers(0, left))
    left -= duplicates
    removed_other = draw(st.integers(0, left))
    left -= removed_other
    stages = []
    for number in range(draw(st.integers(0, 3))):
        excluded = draw(st.integers(0, left))
        by_rule = draw(st.none() | st.integers(0, excluded))
        human = excluded - (by_rule or 0)
        reasons = partition(draw, human, "Reason") if draw(st.booleans()) else {}
        stages.append(
            ScreeningStage(
                f"Stage {number}",
                Count(left),
                Count(excluded),
                reasons,
                None if by_rule is None else Count(by_rule),
                "Recall 95 %" if by_rule is not None else "",
            )
        )
        left -= excluded
    fulltext = retrieval(draw, left)
    other = None
    if draw(st.booleans()):
        snowballed = draw(st.integers(0, 30))
        sources.append(SourceCount("Snowballing", Count(snowballed), SourceKind.SNOWBALLING))
        other = retrieval(draw, draw(st.integers(0, snowballed)))
    reports = fulltext.included + (other.included if other else 0)
    return FlowInput(
        sources=sources,
        duplicates=Count(duplicates),
        stages=stages,
        fulltext=fulltext,
        other=other,
        removed_other=Count(removed_other),
        included_studies=Count(draw(st.integers(0, reports))),
        included_reports=Count(reports),
    )


def bump(count):
    return Count(count.value + 1, count.reported)


def perturbations(flow):
    """(perturbed flow, the box whose derived number was changed)"""
    made = [
        (
            dataclasses.replace(flow, included_reports=bump(flow.included_reports)),
            "new_reports",
        ),
        (replace_column(flow, "fulltext", assessed=bump(flow.fulltext.assessed)), "dbr_assessed"),
        (
            replace_column(flow, "fulltext", sought=bump(flow.fulltext.sought)),
            "dbr_sought_reports",
        ),
    ]
    made += [
        (replace_stage(flow, i, screened=bump(stage.screened)), f"stages[{i}].screened")
        for i, stage in enumerate(flow.stages)
    ]
    if flow.other is not None:
        made.append(
            (replace_column(flow, "other", assessed=bump(flow.other.assessed)), "other_assessed")
        )
    return made


@given(consistent_flows())
def test_flow_property_consistent_flow_passes(flow):
    assert flow_check(flow) == []


@given(consistent_flows(), st.data())
def test_flow_property_perturbed_derived_number_fails(flow, data):
    perturbed, box = data.draw(st.sampled_from(perturbations(flow)))

    assert box in {problem.box for problem in flow_check(perturbed)}


@given(consistent_flows(), st.sampled_from(["en", "da"]))
def test_flow_property_svg_is_well_formed(flow, language):
    root, texts = svg_texts(flow_svg(flow, language))

    assert root.find(f"{SVG}desc").text
    assert len(texts) > 10
