"""The seed report's studies and results as plain data (VIVE 2019, ../shared/seed/000_...txt).

Topic 1 ("meetings at a distance", chapter 2, table 2.1) has one study; topic 2 ("caseworker-
related factors", chapter 3, tables 3.1-3.4) has 19 articles giving 20 results, because Ferracci
& Martin (2015) reports two schemes, one in table 3.3 and one in table 3.4. In all: 20 studies,
21 results. Facts and figures are the report's; the effect texts are short paraphrases.

Reading decisions, each checked by tests/grading/test_seed_data.py:

- **Quality.** High quality means low risk of bias ("Lav"), except Cheung et al. (2017), which
  the report calls of high overall quality (a randomised experiment) while rating its risk of
  bias "Middel"; DESIGN.md counts it as high quality. That is a recorded override with a reason.
- **Direction** is the effect on employment (or education) of the intervention as the table
  names it. Rosholm, Sørensen & Skipper (2017) is "mixed": caseworker changes are negative,
  caseworker belief is positive. Schiprowski (2017) is "negative": cancelled meetings hurt.
  Huber, Lechner & Mellace (2017) is "no effect": programme assignment is not the channel.
  Cheung et al. (2017) is "no effect": distance and in-person meetings did not differ.
- **Design** follows the text, reconciled with table 4.2's counts (3 randomised, 2 natural
  experiments, 13 other). Section 3.1 calls the as-if-random allocation to caseworkers a
  "natural experiment", but table 4.2 can only have 2 natural experiments if the three
  relative-effectiveness studies count as "other"; the two natural experiments are then Koning
  (2009, seasonal variation) and Schiprowski (2017, unplanned absences).
- **Scales.** Risk of bias and transferability use one five-step scale, Lav / Lav til middel /
  Middel / Middel til høj / Høj, because the report writes "Middel til høj" for both and "middel
  til lav" for transferability. The report's own transferability wording is kept beside it
  ("god" is read as Høj, "middel til god" as Middel til høj, "dårlig" as Lav).
- **Ferracci & Martin (2015)**: table 3.3 holds the focus scheme ("PARI", caseworkers concentrate
  on a tenth of their caseload) and table 3.4 the matching scheme ("RENT", four extra
  caseworkers), as sections 3.3 and 3.4 say, although the summary credits the focus scheme to
  the "other studies".
- **Behncke, Frölich & Lechner 2010a/b** follow the tables (a: similarity, "A Caseworker Like
  Me"; b: non-cooperative caseworkers, "Friends or Foes"); the text of section 3.4 swaps them.

Where the report's own count table disagrees with its study tables (table 4.2 says 18 studies
and Denmark 5; the tables hold 19 topic-2 articles, 6 Danish), the data follow the study tables.
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum

from grading.frameworks.base import Design, Direction, Quality, ResultInput


class Rating(StrEnum):
    """The report's five-step scale for risk of bias and for transferability."""

    LOW = "low"
    LOW_MODERATE = "low_moderate"
    MODERATE = "moderate"
    MODERATE_HIGH = "moderate_high"
    HIGH = "high"


RATING_LABELS: dict[Rating, tuple[str, str]] = {
    Rating.LOW: ("Lav", "Low"),
    Rating.LOW_MODERATE: ("Lav til middel", "Low to moderate"),
    Rating.MODERATE: ("Middel", "Moderate"),
    Rating.MODERATE_HIGH: ("Middel til høj", "Moderate to high"),
    Rating.HIGH: ("Høj", "High"),
}


@dataclasses.dataclass(frozen=True)
class SeedTopic:
    key: str
    number: int
    title_da: str
    title_en: str


@dataclasses.dataclass(frozen=True)
class SeedCategory:
    key: str
    topic: str
    section: str  # the report's section
    table: str  # the report's study table
    title_da: str
    title_en: str
    graded: bool
    # The report's verdict (a danish_count level code) and its direction, and where it says so.
    report_level: str | None
    report_direction: Direction | None
    report_source: str


@dataclasses.dataclass(frozen=True)
class SeedStudy:
    key: str
    label: str  # as the report writes it
    authors: tuple[str, ...]  # surnames as the report names them ("et al.": first author only)
    year: int
    title: str
    country: str  # ISO 3166-1 alpha-2
    peer_reviewed: bool  # the report's "*": published in a peer-reviewed international journal
    design: Design
    design_note: str
    topic: str


@dataclasses.dataclass(frozen=True)
class SeedResult:
    key: str
    study: str
    category: str
    intervention: str
    target_group: str
    participants: int | None
    effect: str
    direction: Direction
    risk_of_bias: Rating
    transferability: Rating
    transferability_wording: str  # the report's own words
    quality_override: Quality | None = None
    quality_reason: str = ""
    note: str = ""

    @property
    def quality(self) -> Quality:
        """High when the risk of bias is low, unless the reviewers recorded an override."""
        if self.quality_override is not None:
            return self.quality_override
        return Quality.HIGH if self.risk_of_bias is Rating.LOW else Quality.LIMITED


TOPICS = (
    SeedTopic("distance_meetings", 1, "Møder på distance", "Meetings at a distance"),
    SeedTopic(
        "caseworker_factors", 2, "Sagsbehandlerrelaterede forhold", "Caseworker-related factors"
    ),
)

CATEGORIES = (
    SeedCategory(
        key="distance_meetings",
        topic="distance_meetings",
        section="2",
        table="2.1",
        title_da="Møder på distance",
        title_en="Meetings at a distance",
        graded=True,
        report_level="indication",
        report_direction=Direction.NO_EFFECT,
        report_source="chapter 2 (and the summary): indication of neither positive nor negative "
        "effects of distance meetings compared with meetings in person",
    ),
    SeedCategory(
        key="relative_effectiveness",
        topic="caseworker_factors",
        section="3.1",
        table="3.1",
        title_da="Sagsbehandlerens relative effektivitet",
        title_en="The caseworker's relative effectiveness",
        graded=True,
        report_level="indication",
        report_direction=Direction.POSITIVE,
        report_source="table 1",
    ),
    SeedCategory(
        key="referral_mechanism",
        topic="caseworker_factors",
        section="3.2",
        table="3.2",
        title_da="Mekanisme til visitering af tilbud",
        title_en="The mechanism for referring citizens to programmes",
        graded=True,
        report_level="indication",
        report_direction=Direction.POSITIVE,
        report_source="table 1 (plus an indication that a profiling tool works best)",
    ),
    SeedCategory(
        key="reduced_caseload",
        topic="caseworker_factors",
        section="3.3",
        table="3.3",
        title_da="Reduceret sagsstamme",
        title_en="Reduced caseload",
        graded=True,
        report_level="moderate",
        report_direction=Direction.POSITIVE,
        report_source="table 1",
    ),
    SeedCategory(
        key="other",
        topic="caseworker_factors",
        section="3.4",
        table="3.4",
        title_da="Øvrige studier",
        title_en="Other studies",
        graded=False,
        report_level=None,
        report_direction=None,
        report_source="not graded",
    ),
)

_CASEWORKER_EFFECTS = (
    "Caseworker fixed effects, identified by the as-if-random allocation of citizens to "
    "caseworkers. Section 3.1 calls this a natural experiment; table 4.2's counts place it "
    "under other designs."
)

STUDIES = (
    SeedStudy(
        "cheung2017",
        "Cheung et al. (2017)",
        ("Cheung",),
        2017,
        "Job search assistance and displacement effects: Evidence from a randomized experiment",
        "SE",
        False,
        Design.RANDOMISED_CLUSTER,
        "Two-level randomisation: 72 job centres to three arms or control, then half of the "
        "new job seekers within treated centres. Not yet published (expected 2019).",
        "distance_meetings",
    ),
    SeedStudy(
        "rosholm2018",
        "Rosholm et al. (2018)",
        ("Rosholm",),
        2018,
        "Effektive sagsbehandlerstrategier i beskæftigelsesindsatsen",
        "DK",
        False,
        Design.OTHER,
        _CASEWORKER_EFFECTS,
        "caseworker_factors",
    ),
    SeedStudy(
        "bech2015",
        "Bech (2015)",
        ("Bech",),
        2015,
        "The Role of Caseworkers in Improving Labor Market Outcomes",
        "DK",
        False,
        Design.OTHER,
        _CASEWORKER_EFFECTS + " Part of a PhD thesis.",
        "caseworker_factors",
    ),
    SeedStudy(
        "lagerstrom2011",
        "Lagerström (2011)",
        ("Lagerström",),
        2011,
        "How important are caseworkers – and why? New evidence from Swedish employment offices",
        "SE",
        False,
        Design.OTHER,
        _CASEWORKER_EFFECTS,
        "caseworker_factors",
    ),
    SeedStudy(
        "bolhaar2018",
        "Bolhaar, Ketel & van der Klaauw (2018)",
        ("Bolhaar", "Ketel", "van der Klaauw"),
        2018,
        "Caseworker's discretion and the effectiveness of welfare-to-work programs",
        "NL",
        False,
        Design.RANDOMISED_INDIVIDUAL,
        "Randomised experiment in Amsterdam: job seekers assigned by lottery to five regimes.",
        "caseworker_factors",
    ),
    SeedStudy(
        "staghoj2010",
        "Staghøj, Svarer & Rosholm (2010)",
        ("Staghøj", "Svarer", "Rosholm"),
        2010,
        "Choosing the Best Training Programme: Is there a Case for Statistical Treatment Rules?",
        "DK",
        True,
        Design.OTHER,
        "Timing-of-events duration model on register data (non-experimental).",
        "caseworker_factors",
    ),
    SeedStudy(
        "lechner2007",
        "Lechner & Smith (2007)",
        ("Lechner", "Smith"),
        2007,
        "What is the value added by caseworkers?",
        "CH",
        True,
        Design.MATCHING,
        "Dynamic propensity score matching on a rich data set.",
        "caseworker_factors",
    ),
    SeedStudy(
        "rinne2012",
        "Rinne, Uhlendorff & Zhao (2012)",
        ("Rinne", "Uhlendorff", "Zhao"),
        2012,
        "Vouchers and caseworkers in training programs for the unemployed",
        "DE",
        True,
        Design.MATCHING,
        "Double matching (propensity score matching, then regression) around the 2003 reform.",
        "caseworker_factors",
    ),
    SeedStudy(
        "huber2017",
        "Huber, Lechner & Mellace (2017)",
        ("Huber", "Lechner", "Mellace"),
        2017,
        "Why Do Tougher Caseworkers Increase Employment? The Role of Program Assignment as a "
        "Causal Mechanism",
        "CH",
        True,
        Design.MATCHING,
        "Mediation analysis with matching on a rich data set (the data of Behncke, Frölich & "
        "Lechner).",
        "caseworker_factors",
    ),
    SeedStudy(
        "hainmueller2016",
        "Hainmueller et al. (2016)",
        ("Hainmueller",),
        2016,
        "Do Lower Caseloads Improve the Performance of Public Employment Services? New Evidence "
        "from German Employment Offices",
        "DE",
        True,
        Design.DIFFERENCE_IN_DIFFERENCES,
        "Matching combined with difference-in-differences; job centres chose to take part.",
        "caseworker_factors",
    ),
    SeedStudy(
        "ferracci2015",
        "Ferracci & Martin (2015)",
        ("Ferracci", "Martin"),
        2015,
        "Randomised Experiments and the Evaluation of Innovative Placement Schemes for the "
        "Unemployed",
        "FR",
        True,
        Design.RANDOMISED_CLUSTER,
        "Cluster-randomised: 110 private placement agencies to two schemes or control.",
        "caseworker_factors",
    ),
    SeedStudy(
        "joona2012",
        "Joona & Nekby (2012)",
        ("Joona", "Nekby"),
        2012,
        "Intensive Coaching of New Immigrants: An Evaluation Based on Random Program Assignment",
        "SE",
        True,
        Design.RANDOMISED_INDIVIDUAL,
        "Individual random assignment in nine municipalities.",
        "caseworker_factors",
    ),
    SeedStudy(
        "liljeberg2010",
        "Liljeberg & Lundin (2010)",
        ("Liljeberg", "Lundin"),
        2010,
        "Jobbnätet ger jobb: Effekter av intensifierade arbetsförmedlingsinsatser för att bryta "
        "långtidsarbetslöshet",
        "SE",
        False,
        Design.MATCHING,
        "Statistical matching within the same period and area, with sensitivity analyses.",
        "caseworker_factors",
    ),
    SeedStudy(
        "koning2009",
        "Koning (2009)",
        ("Koning",),
        2009,
        "The effectiveness of Public Employment Service workers in the Netherlands",
        "NL",
        True,
        Design.NATURAL_EXPERIMENT,
        "Seasonal variation in caseworkers per client across 132 offices.",
        "caseworker_factors",
    ),
    SeedStudy(
        "rosholm2017",
        "Rosholm, Sørensen & Skipper (2017)",
        ("Rosholm", "Sørensen", "Skipper"),
        2017,
        "Sagsbehandlerens betydning for udsatte borgeres jobchancer",
        "DK",
        False,
        Design.OTHER,
        "Regressions with controls; caseworker belief measured by the caseworker's mean belief "
        "about the other citizens in the caseload (two-step).",
        "caseworker_factors",
    ),
    SeedStudy(
        "schiprowski2017",
        "Schiprowski (2017)",
        ("Schiprowski",),
        2017,
        "The Role of Caseworkers in Unemployment Insurance: Evidence from Unplanned Absences",
        "CH",
        False,
        Design.NATURAL_EXPERIMENT,
        "Caseworkers' unplanned absences are random from the job seeker's point of view.",
        "caseworker_factors",
    ),
    SeedStudy(
        "behncke2010a",
        "Behncke, Frölich & Lechner (2010a)",
        ("Behncke", "Frölich", "Lechner"),
        2010,
        "A Caseworker Like Me - Does The Similarity Between The Unemployed and Their "
        "Caseworkers Increase Job Placements?",
        "CH",
        True,
        Design.MATCHING,
        "Statistical matching.",
        "caseworker_factors",
    ),
    SeedStudy(
        "behncke2010b",
        "Behncke, Frölich & Lechner (2010b)",
        ("Behncke", "Frölich", "Lechner"),
        2010,
        "Unemployed and Their Caseworkers: Should They Be Friends or Foes?",
        "CH",
        True,
        Design.MATCHING,
        "Statistical matching on caseworker, citizen and labour-market variables.",
        "caseworker_factors",
    ),
    SeedStudy(
        "weatherall2010",
        "Weatherall & Markwardt (2010)",
        ("Weatherall", "Markwardt"),
        2010,
        "Caseworker Behavior and Clients' Employability",
        "DK",
        False,
        Design.OTHER,
        "Caseworker survey linked to register data; regressions with controls (no causal design).",
        "caseworker_factors",
    ),
    SeedStudy(
        "johansen2009",
        "Johansen, Holm & Rosdahl (2009)",
        ("Johansen", "Holm", "Rosdahl"),
        2009,
        "The effect of performance related pay in employment services",
        "DK",
        False,
        Design.OTHER,
        "Voluntary trial in 37 municipalities; Cox hazard models with a placebo test.",
        "caseworker_factors",
    ),
)

RESULTS = (
    SeedResult(
        key="cheung2017",
        study="cheung2017",
        category="distance_meetings",
        intervention="More caseworker meetings in the first three months: three extra "
        "individual meetings in person or at a distance (internet or telephone), or five extra "
        "group meetings. The review's question: distance against in-person meetings.",
        target_group="New job seekers at 72 selected Swedish job centres: 10,567 in in-person "
        "meetings, 8,259 in distance meetings, 7,712 in group meetings.",
        participants=26_538,
        effect="Unemployment 2-4 points lower after three months with more individual meetings, "
        "in person or at a distance alike (a graphical analysis shows no significant "
        "difference); group meetings no effect; displacement onto non-participants about 100 %.",
        direction=Direction.NO_EFFECT,
        risk_of_bias=Rating.MODERATE,
        transferability=Rating.MODERATE,
        transferability_wording="Middel overførbarhed",
        quality_override=Quality.HIGH,
        quality_reason="The report calls the study's overall quality high (a randomised "
        "experiment) and grades it as one high-quality study (an indication), while rating the "
        "risk of bias of its distance-meeting sub-analysis as medium.",
    ),
    SeedResult(
        key="rosholm2018",
        study="rosholm2018",
        category="relative_effectiveness",
        intervention="The caseworker's relative effectiveness: the least (most) effective bring "
        "7 % (23 %) into work or education.",
        target_group="Activity-ready social assistance recipients in the BIP project: about "
        "3,700 citizens and 115 caseworkers.",
        participants=3_700,
        effect="Higher chance of (broad) employment and education; may come from more "
        "employment-oriented offers.",
        direction=Direction.POSITIVE,
        risk_of_bias=Rating.MODERATE,
        transferability=Rating.MODERATE_HIGH,
        transferability_wording="Middel til høj",
    ),
    SeedResult(
        key="bech2015",
        study="bech2015",
        category="relative_effectiveness",
        intervention="The caseworker's relative effectiveness, in standard deviations from the "
        "mean.",
        target_group="Insured and uninsured unemployed: about 71,000 citizens and 1,000 "
        "caseworkers (2005-2010).",
        participants=71_000,
        effect="Higher employment and earnings: 12-15 % higher employment with a caseworker one "
        "standard deviation better.",
        direction=Direction.POSITIVE,
        risk_of_bias=Rating.MODERATE,
        transferability=Rating.HIGH,
        transferability_wording="Høj (nationale tal)",
    ),
    SeedResult(
        key="lagerstrom2011",
        study="lagerstrom2011",
        category="relative_effectiveness",
        intervention="The caseworker's relative effectiveness, in thirds.",
        target_group="Newly unemployed aged 25-65 in 2002: almost 12,000 citizens (11,836) at "
        "69 job centres.",
        participants=11_836,
        effect="13 % higher employment with a caseworker in the most effective third; no effect "
        "on wages; the most effective support job search rather than refer to programmes.",
        direction=Direction.POSITIVE,
        risk_of_bias=Rating.MODERATE,
        transferability=Rating.MODERATE_HIGH,
        transferability_wording="Middel til høj (nationale, men svenske, tal)",
    ),
    SeedResult(
        key="bolhaar2018",
        study="bolhaar2018",
        category="referral_mechanism",
        intervention="Three ways of choosing a programme: random assignment to direct job "
        "matching, a job-search course or general counselling; the caseworker's choice; or no "
        "programme.",
        target_group="New job-ready social assistance recipients in Amsterdam, 2012-2013: about "
        "1,600 (1,679) spread evenly over five arms.",
        participants=1_679,
        effect="Positive, significant effects of direct job matching and of the caseworker's "
        "choice compared with no programme (about 10 points after 30-40 weeks, gone after about "
        "50 weeks).",
        direction=Direction.POSITIVE,
        risk_of_bias=Rating.LOW,
        transferability=Rating.HIGH,
        transferability_wording="højt vurderet overførbarhed til Danmark",
    ),
    SeedResult(
        key="staghoj2010",
        study="staghoj2010",
        category="referral_mechanism",
        intervention="Non-experimental comparison of allocation regimes: caseworker assessment, "
        "a statistical profiling model and random allocation.",
        target_group="About 29,000 insured men aged 25-55 with almost 59,000 unemployment "
        "spells, 1998-2003.",
        participants=29_000,
        effect="Statistical profiling could cut unemployment by 5-8 weeks (11-18 %); caseworker "
        "assessment is no better than random allocation.",
        direction=Direction.POSITIVE,
        risk_of_bias=Rating.MODERATE,
        transferability=Rating.MODERATE_HIGH,
        transferability_wording="Middel til høj generaliserbarhed (danske data af ældre dato)",
    ),
    SeedResult(
        key="lechner2007",
        study="lechner2007",
        category="referral_mechanism",
        intervention="Non-experimental comparison of three allocation regimes: caseworker "
        "assessment, random allocation and a statistical profiling model.",
        target_group="Insured unemployed with short spells, aged 25-55, early 1998: about 19,000.",
        participants=19_000,
        effect="Profiling gives higher employment (up to 62 % against about 47 % after a year); "
        "no significant difference between caseworker assessment and random allocation.",
        direction=Direction.POSITIVE,
        risk_of_bias=Rating.MODERATE,
        transferability=Rating.MODERATE,
        transferability_wording="Middel generaliserbarhed",
    ),
    SeedResult(
        key="rinne2012",
        study="rinne2012",
        category="referral_mechanism",
        intervention="Reform giving the unemployed a training voucher (free choice of provider, "
        "content still set by the caseworker) and changing who is selected for training.",
        target_group="1,300 participants in the new regime (2003) and 25,000 in the old (2002); "
        "about 600,000 persons in all.",
        participants=600_000,
        effect="Small positive total effect on employment and earnings: a small negative "
        "selection effect and a larger institutional (voucher) effect, driven by skilled "
        "participants.",
        direction=Direction.POSITIVE,
        risk_of_bias=Rating.MODERATE,
        transferability=Rating.MODERATE,
        transferability_wording="Middel generaliserbarhed",
    ),
    SeedResult(
        key="huber2017",
        study="huber2017",
        category="referral_mechanism",
        intervention="Whether non-cooperative caseworkers owe their better results to better "
        "programme assignment or to other behaviour.",
        target_group="People who became unemployed in 2003.",
        participants=None,
        effect="Non-cooperative caseworkers do not refer to more effective programmes; their "
        "effect (about 2 points) runs through other channels.",
        direction=Direction.NO_EFFECT,
        risk_of_bias=Rating.MODERATE,
        transferability=Rating.MODERATE,
        transferability_wording="Middel generaliserbarhed",
    ),
    SeedResult(
        key="hainmueller2016",
        study="hainmueller2016",
        category="reduced_caseload",
        intervention="Lower caseload: 40 against 100 cases per caseworker in treated and "
        "control offices.",
        target_group="Welfare recipients at 14 job centres against 779 controls; offices "
        "selected themselves.",
        participants=None,
        effect="Unemployment rate 0.39 points lower and spells 6 days shorter; a saving of "
        "€90,000 per office.",
        direction=Direction.POSITIVE,
        risk_of_bias=Rating.MODERATE_HIGH,
        transferability=Rating.HIGH,
        transferability_wording="god",
    ),
    SeedResult(
        key="ferracci2015_focus",
        study="ferracci2015",
        category="reduced_caseload",
        intervention="Caseworkers focus each month on the tenth of their caseload with the most "
        "potential (the focus scheme).",
        target_group="110 private placement agencies (clusters) in 8 regions; laid-off and "
        "marginalised job seekers, about 5,600 in this scheme.",
        participants=5_600,
        effect="More job seekers into work (about 5-6 points after a year for the inflow); "
        "cost-effective.",
        direction=Direction.POSITIVE,
        risk_of_bias=Rating.LOW,
        transferability=Rating.MODERATE,
        transferability_wording="middel",
    ),
    SeedResult(
        key="joona2012",
        study="joona2012",
        category="reduced_caseload",
        intervention="Smaller caseload: from 200-250 to 35-40 cases per month.",
        target_group="Newly arrived immigrants with work experience: 953 treated and 335 "
        "controls in 9 municipalities.",
        participants=1_288,
        effect="Positive intention-to-treat effect on employment after two years (21 % against "
        "14 %), probably for men only; breaks even after 2-3 years.",
        direction=Direction.POSITIVE,
        risk_of_bias=Rating.LOW,
        transferability=Rating.HIGH,
        transferability_wording="Høj grad af generaliserbarhed",
    ),
    SeedResult(
        key="liljeberg2010",
        study="liljeberg2010",
        category="reduced_caseload",
        intervention="Smaller caseload plus more outreach to employers and intensified support "
        "for the long-term unemployed.",
        target_group="Registered long-term unemployed in Stockholm, 2007: 764 in the programme.",
        participants=764,
        effect="Into regular employment three weeks sooner; socially profitable.",
        direction=Direction.POSITIVE,
        risk_of_bias=Rating.MODERATE_HIGH,
        transferability=Rating.HIGH,
        transferability_wording="god",
    ),
    SeedResult(
        key="koning2009",
        study="koning2009",
        category="reduced_caseload",
        intervention="Natural variation over the year in unemployed per caseworker (about 16-22 "
        "caseworkers per 1,000 clients), driven by seasonal unemployment.",
        target_group="Office-level data: 132 job centres of varying size.",
        participants=None,
        effect="Small positive effect in the short run, none in the long run (1 % more "
        "caseworkers per client raises the exit rate by 0.041 %); cost-effective through "
        "stricter screening.",
        direction=Direction.POSITIVE,
        risk_of_bias=Rating.MODERATE_HIGH,
        transferability=Rating.MODERATE_HIGH,
        transferability_wording="middel til god",
    ),
    SeedResult(
        key="rosholm2017",
        study="rosholm2017",
        category="other",
        intervention="1. Changes of caseworker; 2. the caseworker's belief in the citizen's job "
        "chances.",
        target_group="About 3,500 activity-ready vulnerable social assistance recipients and "
        "115 caseworkers at 10 job centres (BIP).",
        participants=3_500,
        effect="1. Negative association with employment and education; 2. positive association "
        "(about 1-3 points).",
        direction=Direction.MIXED,
        risk_of_bias=Rating.MODERATE,
        transferability=Rating.MODERATE,
        transferability_wording="Middel overførbarhed",
        note="Two findings in one result; the report's summary reads both as favouring "
        "continuity and a positive caseworker attitude.",
    ),
    SeedResult(
        key="schiprowski2017",
        study="schiprowski2017",
        category="other",
        intervention="Meetings cancelled because of the caseworker's unplanned absence.",
        target_group="Insured unemployed aged 20-55 with close ties to the labour market: about "
        "382,000 job seekers and 2,300 caseworkers.",
        participants=382_000,
        effect="Longer unemployment for job seekers with an effective caseworker (top third); "
        "no effect with an ineffective one.",
        direction=Direction.NEGATIVE,
        risk_of_bias=Rating.MODERATE,
        transferability=Rating.MODERATE,
        transferability_wording="middel overførbarhed",
    ),
    SeedResult(
        key="ferracci2015_matching",
        study="ferracci2015",
        category="other",
        intervention="Four extra caseworkers match job seekers to vacancies in the job bank "
        "(the matching scheme).",
        target_group="a. Job seekers far from the labour market; b. laid-off workers. About "
        "7,000 in this scheme.",
        participants=7_000,
        effect="Positive (up to 5 points) but not cost-effective.",
        direction=Direction.POSITIVE,
        risk_of_bias=Rating.LOW,
        transferability=Rating.LOW,
        transferability_wording="dårlig overførbarhed (systemforskelle)",
    ),
    SeedResult(
        key="behncke2010a",
        study="behncke2010a",
        category="other",
        intervention="Similarity between citizen and caseworker in gender, age, nationality and "
        "education.",
        target_group="About 39,000 people who became unemployed in 2003.",
        participants=38_620,
        effect="About 3 points higher chance of employment; nationality matters most.",
        direction=Direction.POSITIVE,
        risk_of_bias=Rating.MODERATE,
        transferability=Rating.LOW_MODERATE,
        transferability_wording="middel til lav",
    ),
    SeedResult(
        key="behncke2010b",
        study="behncke2010b",
        category="other",
        intervention="Having a caseworker who is not cooperative (self-reported).",
        target_group="About 100,000 people who became unemployed in 2003.",
        participants=100_222,
        effect="2 points higher chance of employment.",
        direction=Direction.POSITIVE,
        risk_of_bias=Rating.MODERATE,
        transferability=Rating.LOW_MODERATE,
        transferability_wording="middel til lav",
    ),
    SeedResult(
        key="weatherall2010",
        study="weatherall2010",
        category="other",
        intervention="Association between caseworkers' strategies and behaviour and their "
        "clients' employment.",
        target_group="Unemployed aged 18-59 in 2005, and a survey of almost 600 (592) caseworkers.",
        participants=None,
        effect="Positive association of employment with caseworkers who prioritise 'easy' "
        "cases and who sanction more often.",
        direction=Direction.POSITIVE,
        risk_of_bias=Rating.HIGH,
        transferability=Rating.MODERATE_HIGH,
        transferability_wording="middel til høj",
    ),
    SeedResult(
        key="johansen2009",
        study="johansen2009",
        category="other",
        intervention="Voluntary trial of a small bonus (DKK 1,000) to caseworkers in 37 Danish "
        "municipalities.",
        target_group="Long-term social assistance recipients aged 18-64, 2006-2008, job-ready "
        "or not: about 61,000.",
        participants=61_239,
        effect="Exit to self-support 6.5-15.6 % higher, depending on job-readiness.",
        direction=Direction.POSITIVE,
        risk_of_bias=Rating.HIGH,
        transferability=Rating.MODERATE_HIGH,
        transferability_wording="middel til høj",
    ),
)

_STUDIES_BY_KEY = {study.key: study for study in STUDIES}
_CATEGORIES_BY_KEY = {category.key: category for category in CATEGORIES}


def study(key: str) -> SeedStudy:
    return _STUDIES_BY_KEY[key]


def category(key: str) -> SeedCategory:
    return _CATEGORIES_BY_KEY[key]


def results_in(category_key: str) -> tuple[SeedResult, ...]:
    """A category's results, in the order of the report's table."""
    category(category_key)  # a KeyError for a category that does not exist
    return tuple(result for result in RESULTS if result.category == category_key)


def result_input(result: SeedResult) -> ResultInput:
    """The framework input for a seed result (the demo and the reference test use this)."""
    source = study(result.study)
    return ResultInput(
        id=result.key,
        label=source.label,
        direction=result.direction,
        quality=result.quality,
        design=source.design,
        is_review=source.design is Design.REVIEW,
        peer_reviewed=source.peer_reviewed,
        country=source.country,
    )


def result_inputs(category_key: str) -> list[ResultInput]:
    return [result_input(result) for result in results_in(category_key)]
