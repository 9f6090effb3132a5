"""The records of the demo's third topic area, composed here from hand-written pieces.

Nothing in this module is copied from a real bibliography: every title and abstract is put
together from the building blocks below (interventions, target groups, outcomes, designs,
countries), in Danish and English, with a fixed seed, so every run yields the same records.
The people, journals and DOIs are made up too: the DOIs use the prefix 10.5555, which the
DOI registry keeps for examples, and the PubMed ids start at 90000000.

Real exports repeat themselves, and so does this one: a work found by two databases, the
same record twice in one export, a title in other letter case, a DOI missing on one side, a
subtitle dropped, a conference paper dated a year off. `ris_text` and `medline_text` write
the three sources' files; the import de-duplicates them as it would any export.

Plain Python, no Django: the loader (`grading.demo.in_progress`) imports the files.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

SEED = 20191127

# Why a work does not belong in the review, as the stage's exclusion reasons word it
# (grading.demo.in_progress.EXCLUSION_REASONS, in the same order). None: it belongs.
POPULATION, INTERVENTION, OUTCOME, DESIGN, LIMITS, NOT_EMPIRICAL = range(6)


@dataclass(frozen=True)
class Piece:
    en: str
    da: str


# What is done for the person: (English, Danish), and whether it is an employment effort.
INTERVENTIONS = [
    (Piece("mentoring", "mentorstøtte"), True),
    (Piece("Individual Placement and Support", "IPS-beskæftigelsesindsats"), True),
    (Piece("wage subsidy jobs", "løntilskudsjob"), True),
    (
        Piece("integrated health and employment services", "en tværfaglig helbreds- og jobindsats"),
        True,
    ),
    (Piece("intensified caseworker contact", "intensiveret samtaleforløb"), True),
    (Piece("company internships", "virksomhedspraktik"), True),
    (Piece("early return-to-work plans", "tidlige planer for tilbagevenden til arbejde"), True),
    (Piece("supported vocational training", "understøttet erhvervsuddannelse"), True),
    (
        Piece(
            "language courses combined with job placement",
            "sprogundervisning kombineret med jobformidling",
        ),
        True,
    ),
    (Piece("benefit sanctions", "sanktioner i ydelsen"), True),
    (Piece("housing support", "bostøtte"), False),
    (Piece("addiction treatment", "misbrugsbehandling"), False),
]

# Who it is for; the last is not among the vulnerable unemployed.
POPULATIONS = [
    (
        Piece(
            "social assistance recipients with problems besides unemployment",
            "aktivitetsparate kontanthjælpsmodtagere",
        ),
        True,
    ),
    (Piece("people with mental illness", "personer med psykiske lidelser"), True),
    (Piece("young people without upper-secondary education", "unge uden ungdomsuddannelse"), True),
    (Piece("refugees and family-reunified immigrants", "flygtninge og familiesammenførte"), True),
    (Piece("long-term sick-listed workers", "langtidssygemeldte"), True),
    (Piece("long-term unemployed people", "langtidsledige"), True),
    (Piece("people with reduced working capacity", "personer med nedsat arbejdsevne"), True),
    (Piece("employed engineers", "beskæftigede ingeniører"), False),
    (Piece("primary school pupils", "folkeskoleelever"), False),
]

OUTCOMES = [
    (Piece("employment", "beskæftigelse"), True),
    (Piece("self-sufficiency", "selvforsørgelse"), True),
    (Piece("enrolment in education", "påbegyndt uddannelse"), True),
    (Piece("earnings", "indkomst"), True),
    (Piece("self-rated health", "selvvurderet helbred"), False),
    (Piece("satisfaction with the services", "tilfredshed med indsatsen"), False),
    (Piece("caseworkers' workload", "sagsbehandlernes arbejdsbyrde"), False),
]

# A design in the title ("a randomised controlled trial"), in the method sentence, and
# whether it supports a causal reading.
DESIGNS = [
    (Piece("a randomised controlled trial", "et lodtrækningsforsøg"), True),
    (Piece("a randomised field experiment", "et randomiseret feltforsøg"), True),
    (Piece("a difference-in-differences analysis", "en forskel-i-forskel-analyse"), True),
    (Piece("a regression discontinuity design", "et regressionsdiskontinuitetsdesign"), True),
    (Piece("propensity score matching on register data", "matching på registerdata"), True),
    (Piece("a natural experiment", "et naturligt eksperiment"), True),
    (Piece("qualitative interviews", "kvalitative interview"), False),
    (Piece("a descriptive survey", "en beskrivende spørgeskemaundersøgelse"), False),
    (Piece("a cross-sectional correlation study", "en tværsnitsundersøgelse"), False),
]

# Country (English, Danish) and whether it is an OECD country.
COUNTRIES = [
    (Piece("Denmark", "Danmark"), True),
    (Piece("Denmark", "Danmark"), True),
    (Piece("Norway", "Norge"), True),
    (Piece("Sweden", "Sverige"), True),
    (Piece("Finland", "Finland"), True),
    (Piece("the Netherlands", "Holland"), True),
    (Piece("Germany", "Tyskland"), True),
    (Piece("the United Kingdom", "Storbritannien"), True),
    (Piece("Australia", "Australien"), True),
    (Piece("the United States", "USA"), True),
    (Piece("Brazil", "Brasilien"), False),
    (Piece("India", "Indien"), False),
]

PLACES_DK = [
    "Aarhus",
    "Odense",
    "Aalborg",
    "Esbjerg",
    "Vejle",
    "Herning",
    "Roskilde",
    "Holstebro",
    "Svendborg",
    "Næstved",
    "Viborg",
    "Randers",
    "Kolding",
    "Horsens",
]

SURNAMES = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Knudsen",
    "Mortensen",
    "Møller",
    "Holm",
    "Lund",
    "Berg",
    "Dahl",
    "Lindqvist",
    "Eriksson",
    "Karlsson",
    "Haugen",
    "Solberg",
    "Virtanen",
    "de Vries",
    "van Dijk",
    "Bakker",
    "Schmidt",
    "Becker",
    "Walker",
    "Murphy",
    "Brown",
    "Okafor",
    "Novak",
    "Kowalski",
    "Garcia",
    "Silva",
    "Khan",
    "Yilmaz",
    "Petersen",
]
INITIALS = "ABCDEFGHIJKLMNOPRSTV"

# Made-up venues: (name, kind, language). Kind "JOUR" articles, "RPRT" reports and
# working papers, "CONF" conference papers (whose year may differ by one between sources).
JOURNALS = [
    ("Nordic Journal of Employment Research", "JOUR", "en"),
    ("Journal of Active Labour Market Studies", "JOUR", "en"),
    ("Scandinavian Review of Welfare and Work", "JOUR", "en"),
    ("Work, Health and Rehabilitation Quarterly", "JOUR", "en"),
    ("European Journal of Social Security Practice", "JOUR", "en"),
    ("Tidsskrift for Beskæftigelsesforskning", "JOUR", "da"),
    ("Samfundsøkonomisk Tidsskrift for Velfærd", "JOUR", "da"),
    ("Working Papers of the Demo Institute for Labour Studies", "RPRT", "en"),
    ("Rapporter fra Demoinstituttet for Velfærdsforskning", "RPRT", "da"),
    ("Proceedings of the Nordic Conference on Labour Market Policy", "CONF", "en"),
]


@dataclass
class Work:
    """One study as the demo imagines it, before any database exports it."""

    number: int
    language: str  # "en" or "da"
    title: str
    subtitle: str
    abstract: str
    authors: list[str]
    year: int
    journal: str
    kind: str
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    keywords: list[str] = field(default_factory=list)
    reason: int | None = None  # an index into the exclusion reasons; None: relevant

    @property
    def relevant(self) -> bool:
        return self.reason is None

    @property
    def full_title(self) -> str:
        return join_title(self.title, self.subtitle)


@dataclass
class Export:
    """A work as one database exports it."""

    work: Work
    title: str
    authors: list[str]
    year: int
    doi: str
    pmid: str = ""


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def join_title(title: str, subtitle: str) -> str:
    """Title and subtitle as databases join them: a colon, or a space after a question."""
    if not subtitle:
        return title
    if title.endswith("?"):
        return f"{title} {_cap(subtitle)}"
    return f"{title}: {subtitle}"


def _pick(rng: random.Random, options, relevant: bool | None = None):
    """A random option; only relevant ones (flag True), irrelevant ones, or any (None)."""
    pool = [piece for piece, flag in options if relevant is None or flag == relevant]
    return rng.choice(pool)


def _authors(rng: random.Random) -> list[str]:
    count = rng.choice([1, 2, 2, 3, 3, 4, 5])
    names = rng.sample(SURNAMES, count)
    return [f"{name}, {rng.choice(INITIALS)}." for name in names]


ASSESSMENTS = ["helpful", "demanding", "uneven"]


def _sentences_en(
    rng, intervention, population, outcome, design, country, year, causal: bool, reason
) -> tuple[str, str, str]:
    """Title, subtitle and abstract in English."""
    n = rng.choice([212, 340, 486, 730, 1_150, 2_400, 3_870, 6_200, 14_500])
    period = f"{year - rng.randint(4, 7)}-{year - rng.randint(1, 3)}"
    effect = rng.choice(["raised", "did not change", "modestly raised", "lowered"])
    title = rng.choice(
        [
            f"The effect of {intervention.en} on {outcome.en} among {population.en}",
            f"{_cap(intervention.en)} for {population.en}",
            f"Can {intervention.en} help {population.en} into work?",
            f"{_cap(population.en)} and {intervention.en}: {outcome.en} outcomes",
        ]
    )
    subtitle = rng.choice(
        [
            f"evidence from {design.en} in {country.en}",
            f"{design.en} in {country.en}",
            f"results from {country.en}, {period}",
        ]
    )
    if reason == NOT_EMPIRICAL:
        title = rng.choice(
            [
                f"Rethinking {intervention.en} for {population.en}",
                f"What we do not know about {intervention.en}",
                f"A comment on the debate about {intervention.en} in {country.en}",
            ]
        )
        subtitle = rng.choice(["a commentary", "an essay", "editorial", ""])
        kind_of_text = subtitle.removeprefix("a ").removeprefix("an ") or "paper"
        abstract = (
            f"This {kind_of_text} discusses how {intervention.en} is used for "
            f"{population.en} in {country.en}. It reviews the arguments for and against the "
            f"approach and the questions that policy makers face, without presenting new data. "
            f"We argue that future evaluations should measure {outcome.en} over longer periods."
        )
        return title, subtitle, abstract
    method = (
        f"We use {design.en} covering {n:,} {population.en} in {country.en} in {period}."
        if causal
        else f"The study uses {design.en} with {n:,} participants in {country.en} in {period}."
    )
    findings = (
        f"{_cap(intervention.en)} {effect} {outcome.en} by the end of follow-up"
        f" compared with usual services."
        if causal
        else f"Participants described {intervention.en} as {rng.choice(ASSESSMENTS)}"
        f", and {outcome.en} was associated with the number of meetings attended."
    )
    background = rng.choice(
        [
            f"Many {population.en} remain outside the labour market for years.",
            f"Employment services increasingly offer {intervention.en} to {population.en}.",
            f"Little is known about whether {intervention.en} improves {outcome.en}.",
        ]
    )
    conclusion = rng.choice(
        [
            "The results suggest that the effort pays off when it starts early.",
            "Effects were larger for participants with recent work experience.",
            "The findings call for caution before the approach is scaled up.",
            "Costs per participant were moderate relative to the benefits saved.",
        ]
    )
    abstract = " ".join(
        [
            background,
            f"This study examines the effect of {intervention.en} on {outcome.en}.",
            method,
            findings,
            conclusion,
        ]
    )
    return title, subtitle, abstract


def _sentences_da(
    rng, intervention, population, outcome, design, country, year, causal: bool, reason
) -> tuple[str, str, str]:
    """Title, subtitle and abstract in Danish."""
    n = rng.choice([118, 264, 402, 655, 980, 1_730, 2_950, 5_400])
    place = rng.choice(PLACES_DK)
    period = f"{year - rng.randint(4, 7)}-{year - rng.randint(1, 3)}"
    effect = rng.choice(["øgede", "ændrede ikke", "øgede en smule", "mindskede"])
    title = rng.choice(
        [
            f"Effekten af {intervention.da} på {outcome.da} for {population.da}",
            f"{_cap(intervention.da)} til {population.da}",
            f"Kan {intervention.da} hjælpe {population.da} videre?",
            f"{_cap(population.da)} og {intervention.da}",
        ]
    )
    subtitle = rng.choice(
        [
            f"resultater fra {design.da} i {country.da}",
            f"{design.da} i {place} Kommune" if country.en == "Denmark" else f"{design.da}",
            f"erfaringer fra {country.da} {period}",
        ]
    )
    if reason == NOT_EMPIRICAL:
        title = rng.choice(
            [
                f"Debat: {intervention.da} til {population.da}",
                f"Hvad ved vi om {intervention.da}?",
                f"Kommentar til debatten om {intervention.da}",
            ]
        )
        subtitle = rng.choice(["et debatindlæg", "kommentar", ""])
        abstract = (
            f"Indlægget diskuterer brugen af {intervention.da} for {population.da} i "
            f"{country.da}. Forfatterne gennemgår argumenterne for og imod og peger på, at "
            f"fremtidige evalueringer bør følge {outcome.da} over længere tid. Der indgår ingen "
            f"nye data."
        )
        return title, subtitle, abstract
    method = (
        f"Undersøgelsen er {design.da} med {n:,} {population.da} i {country.da} i perioden "
        f"{period}.".replace(",", ".")
        if causal
        else f"Undersøgelsen bygger på {design.da} med {n:,} deltagere i {place} i perioden "
        f"{period}.".replace(",", ".")
    )
    findings = (
        f"Sammenlignet med den sædvanlige indsats {effect} {intervention.da} {outcome.da} ved "
        f"opfølgningens afslutning."
        if causal
        else f"Deltagerne oplevede {intervention.da} som "
        f"{rng.choice(['meningsfuld', 'krævende', 'svingende'])}, og {outcome.da} hang sammen "
        f"med antallet af samtaler."
    )
    background = rng.choice(
        [
            f"Mange {population.da} står i årevis uden for arbejdsmarkedet.",
            f"Jobcentrene tilbyder i stigende grad {intervention.da} til {population.da}.",
            f"Der er begrænset viden om, hvorvidt {intervention.da} forbedrer {outcome.da}.",
        ]
    )
    conclusion = rng.choice(
        [
            "Resultaterne tyder på, at indsatsen virker bedst, når den sættes tidligt ind.",
            "Effekten var størst for borgere med nylig erhvervserfaring.",
            "Resultaterne giver anledning til forsigtighed, før indsatsen udbredes.",
        ]
    )
    abstract = " ".join(
        [
            background,
            f"Formålet er at undersøge effekten af {intervention.da} på {outcome.da}.",
            method,
            findings,
            conclusion,
        ]
    )
    return title, subtitle, abstract


# The share of works of each kind: relevant, then each exclusion reason.
KINDS = (
    [None] * 14
    + [POPULATION] * 12
    + [INTERVENTION] * 10
    + [OUTCOME] * 16
    + [DESIGN] * 26
    + [LIMITS] * 12
    + [NOT_EMPIRICAL] * 10
)


def works(count: int = 300, seed: int = SEED) -> list[Work]:
    """`count` distinct works, about a third of them in Danish; the same on every call."""
    rng = random.Random(seed)
    made: list[Work] = []
    titles: set[str] = set()
    while len(made) < count:
        reason = rng.choice(KINDS)
        language = "da" if rng.random() < 0.33 else "en"
        intervention = _pick(rng, INTERVENTIONS, reason != INTERVENTION)
        population = _pick(rng, POPULATIONS, reason != POPULATION)
        outcome = _pick(rng, OUTCOMES, reason != OUTCOME)
        causal = reason != DESIGN
        design = _pick(rng, DESIGNS, causal)
        year = rng.randint(2001, 2019)
        country = _pick(rng, COUNTRIES, True)
        if language == "da" and rng.random() < 0.8:
            country = COUNTRIES[0][0]
        if reason == LIMITS:
            if rng.random() < 0.5:
                country = _pick(rng, COUNTRIES, False)
            else:
                year = rng.randint(1992, 1999)
        venues = [venue for venue in JOURNALS if venue[2] == language or venue[1] == "CONF"]
        journal, kind, _lang = rng.choice(venues)
        compose = _sentences_da if language == "da" else _sentences_en
        title, subtitle, abstract = compose(
            rng, intervention, population, outcome, design, country, year, causal, reason
        )
        if title.lower() in titles:
            continue
        titles.add(title.lower())
        number = len(made) + 1
        work = Work(
            number=number,
            language=language,
            title=title,
            subtitle=subtitle,
            abstract=abstract,
            authors=_authors(rng),
            year=year,
            journal=journal,
            kind=kind,
            reason=reason,
            keywords=[getattr(piece, language) for piece in (intervention, population, outcome)],
        )
        if kind == "JOUR":
            work.volume = str(rng.randint(8, 42))
            work.issue = str(rng.randint(1, 4))
            first = rng.randint(1, 480)
            work.pages = f"{first}-{first + rng.randint(9, 28)}"
        if kind != "CONF" and rng.random() < 0.7:
            work.doi = f"10.5555/demo.{year}.{number:04d}"
        made.append(work)
    return made


def _exported(work: Work, **changes) -> Export:
    export = Export(
        work=work, title=work.full_title, authors=list(work.authors), year=work.year, doi=work.doi
    )
    return replace(export, **changes)


@dataclass
class Sources:
    """The works as three databases export them, and how many near-duplicates of each kind
    the exports hold (for the tests and the curious)."""

    socindex: list[Export]
    pubmed: list[Export]
    danish: list[Export]
    variants: dict[str, int] = field(default_factory=dict)  # how many of each near-duplicate


def sources(seed: int = SEED) -> Sources:
    """The works split over three databases, with the overlaps and variants real exports have.

    SocINDEX (RIS): four in five English works and a fifth of the Danish ones, three
    records exported twice. PubMed (MEDLINE): the English works SocINDEX missed and a third
    of those it found. Forskningsdatabasen.dk (RIS): the Danish works.
    """
    rng = random.Random(seed + 1)
    all_works = works(seed=seed)
    english = [work for work in all_works if work.language == "en"]
    danish = [work for work in all_works if work.language == "da"]
    variants: dict[str, int] = {}

    def variant(work: Work) -> Export:
        """A second database's copy of a work, sometimes not quite the same."""
        roll = rng.random()
        if roll < 0.15:
            variants["title case"] = variants.get("title case", 0) + 1
            return _exported(
                work,
                title=work.full_title.upper() if rng.random() < 0.5 else work.full_title.title(),
            )
        if roll < 0.30 and work.doi:
            variants["DOI missing"] = variants.get("DOI missing", 0) + 1
            return _exported(work, doi="")
        if roll < 0.42 and work.subtitle:
            variants["subtitle dropped"] = variants.get("subtitle dropped", 0) + 1
            return _exported(work, title=work.title)
        if work.kind == "CONF" and roll < 0.8:
            variants["year one off"] = variants.get("year one off", 0) + 1
            return _exported(work, year=work.year + 1)
        variants["same record"] = variants.get("same record", 0) + 1
        return _exported(work)

    socindex = [_exported(work) for work in english if rng.random() < 0.8]
    in_socindex = {export.work.number for export in socindex}
    pubmed = []
    for work in english:
        if work.number not in in_socindex:
            pubmed.append(_exported(work))
        elif rng.random() < 0.35:
            pubmed.append(variant(work))
    forsk = [_exported(work) for work in danish]
    for work in danish:
        if rng.random() < 0.2:
            socindex.append(variant(work))
    for export in rng.sample(socindex[:100], 3):
        socindex.append(replace(export))  # exported twice: a database's own duplicate
        variants["twice in one file"] = variants.get("twice in one file", 0) + 1
    for number, export in enumerate(pubmed):
        export.pmid = str(90_000_000 + export.work.number * 7 + number % 7)
    return Sources(socindex=socindex, pubmed=pubmed, danish=forsk, variants=variants)


def ris_text(exports: list[Export], *, database: str) -> str:
    """An RIS export (EndNote's, Zotero's and most databases' format)."""
    lines = []
    for export in exports:
        work = export.work
        lines.append(f"TY  - {work.kind}")
        lines.append(f"TI  - {export.title}")
        lines += [f"AU  - {author}" for author in export.authors]
        lines.append(f"PY  - {export.year}")
        lines.append(f"{'T2' if work.kind == 'CONF' else 'JO'}  - {work.journal}")
        if work.volume:
            lines += [f"VL  - {work.volume}", f"IS  - {work.issue}"]
            first, last = work.pages.split("-")
            lines += [f"SP  - {first}", f"EP  - {last}"]
        if export.doi:
            lines.append(f"DO  - {export.doi}")
        lines.append(f"AB  - {work.abstract}")
        lines += [f"KW  - {keyword}" for keyword in work.keywords]
        lines.append(f"LA  - {'Danish' if work.language == 'da' else 'English'}")
        lines.append(f"DP  - {database}")
        lines.append("ER  - ")
        lines.append("")
    return "\n".join(lines) + "\n"


def _medline_author(author: str) -> str:
    surname, initial = author.split(", ")
    return f"{surname} {initial.rstrip('.')}"


def medline_text(exports: list[Export]) -> str:
    """A PubMed export ("Save: PubMed format", the .nbib of reference managers)."""
    blocks = []
    for export in exports:
        work = export.work
        lines = [f"PMID- {export.pmid}", f"TI  - {export.title}"]
        lines.append(f"AB  - {work.abstract}")
        lines += [f"FAU - {author}" for author in export.authors]
        lines += [f"AU  - {_medline_author(author)}" for author in export.authors]
        lines.append(f"DP  - {export.year}")
        lines.append(f"JT  - {work.journal}")
        if work.volume:
            lines += [f"VI  - {work.volume}", f"IP  - {work.issue}", f"PG  - {work.pages}"]
        if export.doi:
            lines.append(f"AID - {export.doi} [doi]")
        lines += [f"OT  - {keyword}" for keyword in work.keywords]
        lines.append(f"LA  - {'dan' if work.language == 'da' else 'eng'}")
        lines.append("PT  - Journal Article" if work.kind == "JOUR" else "PT  - Report")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
