"""robvis-style SVGs: valid XML, accessible names, labels, colours and symbols."""

import xml.etree.ElementTree as ET

import pytest

from grading.rob import rob2, robins_i
from grading.rob.robvis import classify, summary_bar_svg, traffic_light_svg

SVG = "{http://www.w3.org/2000/svg}"
STUDIES = ["Joona & Nekby (2012)", "Ferracci & Martin (2015)", "Bolhaar et al. (2018)"]
DOMAINS = ["D1", "D2", "D3", "D4", "D5", "Overall"]
JUDGEMENTS = [
    ["Low", "Low", "Low", "Low", "Low", "Low"],
    ["Low", "Some concerns", "Low", "Low", "No information", "Some concerns"],
    [
        rob2.Judgement.LOW,
        rob2.Judgement.HIGH,
        rob2.Judgement.SOME_CONCERNS,
        "low",
        "low",
        rob2.Judgement.HIGH,
    ],
]
NAMES = {"D1": "Bias arising from the randomization process"}


def parse(svg):
    # Our own output, not untrusted input: the standard library parser is the right check.
    root = ET.fromstring(svg)  # noqa: S314
    assert root.tag == f"{SVG}svg"
    return root


def texts(root):
    return [el.text for el in root.iter(f"{SVG}text") if el.text]


def titles(root):
    return [el.text for el in root.iter(f"{SVG}title")]


def test_traffic_light_is_valid_accessible_svg():
    root = parse(traffic_light_svg(STUDIES, DOMAINS, JUDGEMENTS, domain_names=NAMES))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "rob-traffic-title rob-traffic-desc"
    assert root.find(f"{SVG}title").text == "Risk of bias by study and domain"
    assert root.find(f"{SVG}desc").text == ("3 studies x 6 domains: D1, D2, D3, D4, D5, Overall.")


def test_traffic_light_labels_every_study_domain_and_judgement():
    root = parse(traffic_light_svg(STUDIES, DOMAINS, JUDGEMENTS, domain_names=NAMES))
    shown = texts(root)
    for label in STUDIES + DOMAINS:
        assert label in shown
    assert "D1: Bias arising from the randomization process" in shown
    cell_titles = titles(root)[1:]
    assert len(cell_titles) == len(STUDIES) * len(DOMAINS)
    assert "Ferracci & Martin (2015), D5: No information" in cell_titles
    assert "Bolhaar et al. (2018), Overall: High" in cell_titles
    # Legend: each judgement that occurs, spelled out.
    assert {"Low", "Some concerns", "High", "No information"} <= set(shown)


def test_traffic_light_shows_symbol_and_colour_not_colour_alone():
    root = parse(traffic_light_svg(STUDIES, DOMAINS, JUDGEMENTS))
    cells = [g for g in root.iter(f"{SVG}g") if "judgement" in (g.get("class") or "")]
    high = next(g for g in cells if g.find(f"{SVG}title").text.endswith("D2: High"))
    assert high.find(f"{SVG}circle").get("fill") == "#BF0000"
    assert high.find(f"{SVG}text").text == "×"
    assert high.find(f"{SVG}text").get("fill") == "#FFFFFF"  # white on dark red
    low = cells[0]
    assert (low.find(f"{SVG}circle").get("fill"), low.find(f"{SVG}text").text) == ("#02C100", "+")
    assert low.find(f"{SVG}text").get("fill") == "#000000"


def test_traffic_light_escapes_labels():
    root = parse(traffic_light_svg(["<b>&co</b>"], ["D1"], [["Low"]]))
    assert "<b>&co</b>" in texts(root)


def test_robins_i_words_in_the_legend_and_danish_labels():
    judgements = [[robins_i.Judgement.MODERATE, "Serious", "Critical", "Not applicable"]]
    root = parse(traffic_light_svg(["A"], ["D1", "D2", "D3", "D4"], judgements, language="da"))
    shown = texts(root)
    assert {"Moderat", "Alvorlig", "Kritisk", "Ikke relevant"} <= set(shown)
    assert root.find(f"{SVG}title").text == "Risiko for bias pr. studie og domæne"
    assert "!" in shown  # the critical symbol


def test_colourblind_palette():
    root = parse(traffic_light_svg(["A"], ["D1"], [["High"]], palette="colourblind"))
    assert root.find(f".//{SVG}circle").get("fill") == "#D95F0E"


def test_summary_bar_gives_shares_per_domain_with_a_bold_overall_bar():
    svg = summary_bar_svg(STUDIES, DOMAINS, JUDGEMENTS, domain_names=NAMES)
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "Risk of bias by domain"
    shown = texts(root)
    assert "Bias arising from the randomization process" in shown
    overall = next(el for el in root.iter(f"{SVG}text") if el.text == "Overall risk of bias")
    assert overall.get("font-weight") == "bold"
    segment_titles = [t for t in titles(root) if ": " in t]
    assert "Bias arising from the randomization process, Low: 3 of 3 studies (100 %)" in (
        segment_titles
    )
    assert "D2, Some concerns: 1 of 3 studies (33 %)" in segment_titles
    assert "+ 100 %" in shown
    assert {"0 %", "50 %", "100 %"} <= set(shown)


def test_summary_bar_widths_add_up_and_leave_out_not_applicable():
    root = parse(summary_bar_svg(["A", "B", "C"], ["D1"], [["Low"], ["High"], [None]]))
    segments = [g for g in root.iter(f"{SVG}g") if "segment" in (g.get("class") or "")]
    widths = [float(g.find(f"{SVG}rect").get("width")) for g in segments]
    assert widths == [200.0, 200.0]
    assert [g.find(f"{SVG}title").text for g in segments] == [
        "D1, Low: 1 of 2 studies (50 %)",
        "D1, High: 1 of 2 studies (50 %)",
    ]


def test_summary_bar_weighted():
    root = parse(summary_bar_svg(["A", "B"], ["D1"], [["Low"], ["High"]], weights=[3, 1]))
    segment_titles = [t for t in titles(root) if ": " in t]
    assert segment_titles == ["D1, Low: 3 of 4 weight (75 %)", "D1, High: 1 of 4 weight (25 %)"]


@pytest.mark.parametrize(
    ("studies", "domains", "judgements", "message"),
    [
        (["A", "B"], ["D1"], [["Low"]], "2 studies but 1 rows"),
        (["A"], ["D1", "D2"], [["Low"]], "1 judgements for 2 domains"),
        (["A"], ["D1"], [["Probably fine"]], "unknown risk-of-bias judgement"),
    ],
)
def test_bad_input_is_refused(studies, domains, judgements, message):
    with pytest.raises(ValueError, match=message):
        traffic_light_svg(studies, domains, judgements)
    with pytest.raises(ValueError, match=message):
        summary_bar_svg(studies, domains, judgements)


def test_classify_accepts_labels_codes_and_none():
    assert classify("Some concerns") == ("some_concerns", "Some concerns")
    assert classify(rob2.Judgement.SOME_CONCERNS) == ("some_concerns", "Some concerns")
    assert classify(robins_i.Judgement.NO_INFORMATION, "da") == (
        "no_information",
        "Ingen information",
    )
    assert classify(None) == ("not_applicable", "Not applicable")
