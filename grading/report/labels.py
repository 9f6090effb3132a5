"""The report tables' wording in Danish and English, as (Danish, English) pairs.

Plain strings rather than gettext: the tables are built by a worker without an active
language and stored in both languages, like the frameworks' labels.
"""

Bilingual = tuple[str, str]

RATINGS: dict[str, Bilingual] = {
    "low": ("Lav", "Low"),
    "low_moderate": ("Lav til middel", "Low to moderate"),
    "moderate": ("Middel", "Moderate"),
    "moderate_high": ("Middel til høj", "Moderate to high"),
    "high": ("Høj", "High"),
}
RATING_ORDER = ("low", "low_moderate", "moderate", "moderate_high", "high")

# The counts table's three risk-of-bias rows.
RISK_GROUPS: dict[str, Bilingual] = {
    "low": ("Lav", "Low"),
    "middle": ("Middel", "Middle"),
    "high": ("Høj", "High"),
    "not_assessed": ("Ikke vurderet", "Not assessed"),
}
RISK_GROUP_ORDER = ("low", "middle", "high", "not_assessed")

DESIGN_GROUPS: dict[str, Bilingual] = {
    "randomised": (
        "Lodtrækning (individ, klynge, kvasi)",
        "Randomised (individual, cluster, quasi)",
    ),
    "natural_experiment": ("Naturligt eksperiment", "Natural experiment"),
    "other": (
        "Øvrige (forsøg med frivillig deltagelse, matching, difference-in-difference mv.)",
        "Other (voluntary participation, matching, difference-in-differences etc.)",
    ),
}
DESIGN_GROUP_ORDER = ("randomised", "natural_experiment", "other")
RANDOMISED = frozenset({"randomised_individual", "randomised_cluster", "randomised_quasi"})

COUNTRIES: dict[str, Bilingual] = {
    "AT": ("Østrig", "Austria"),
    "AU": ("Australien", "Australia"),
    "BE": ("Belgien", "Belgium"),
    "CA": ("Canada", "Canada"),
    "CH": ("Schweiz", "Switzerland"),
    "DE": ("Tyskland", "Germany"),
    "DK": ("Danmark", "Denmark"),
    "ES": ("Spanien", "Spain"),
    "FI": ("Finland", "Finland"),
    "FR": ("Frankrig", "France"),
    "GB": ("Storbritannien", "United Kingdom"),
    "IE": ("Irland", "Ireland"),
    "IS": ("Island", "Iceland"),
    "IT": ("Italien", "Italy"),
    "NL": ("Holland", "Netherlands"),
    "NO": ("Norge", "Norway"),
    "NZ": ("New Zealand", "New Zealand"),
    "PL": ("Polen", "Poland"),
    "PT": ("Portugal", "Portugal"),
    "SE": ("Sverige", "Sweden"),
    "US": ("USA", "United States"),
    "": ("Ukendt land", "Country unknown"),
}

TEXT: dict[str, Bilingual] = {
    "summary_title": (
        "Kategorisering af litteraturen: {topic}",
        "Categorisation of the literature: {topic}",
    ),
    "summary_columns": (
        "Type af indsats|Resultater|Evidens",
        "Type of intervention|Results|Evidence",
    ),
    "summary_note": ("Evidensniveauer: {framework}.", "Evidence levels: {framework}."),
    "study_title": ("Studier: {category}", "Studies: {category}"),
    "study_columns": (
        "Studie|Indsats|Målgruppe|Effekt|Risiko for bias",
        "Study|Intervention|Target group|Effect|Risk of bias",
    ),
    "peer_reviewed_note": (
        "Anm.: * Indikerer, at artiklen er publiceret i et fagfællevurderet internationalt "
        "tidsskrift.",
        "Note: * indicates that the article is published in a peer-reviewed international journal.",
    ),
    "also_in_note": (
        "# Studiet indgår også i tabellen: {tables}.",
        "# The study also appears in the table: {tables}.",
    ),
    "judgement_note": (
        "Note: “Risiko for bias” og studiernes overførbarhed til danske forhold er baseret på "
        "en subjektiv og umiddelbar vurdering af forfatterne ud fra deres sektor- og "
        "metodekendskab.",
        "Note: “Risk of bias” and the studies' transferability to Danish conditions are the "
        "authors' subjective judgement, based on their knowledge of the sector and of methods.",
    ),
    "risk_of_bias": ("{level} risiko for bias", "{level} risk of bias"),
    "transferability": ("Overførbarhed: {text}", "Transferability: {text}"),
    "counts_title": ("Optælling af studier", "Count of studies"),
    "counts_columns": ("|Antal studier", "|Number of studies"),
    "design": ("Design", "Design"),
    "risk": ("Vurdering af risiko for bias", "Risk-of-bias assessment"),
    "geography": ("Geografi", "Geography"),
    "total": ("Antal", "Total"),
    "counted_as": (
        "“{rating}” er talt som “{group}”.",
        "“{rating}” is counted as “{group}”.",
    ),
    "highest_note": (
        "Et studie, hvis resultater har forskellig risiko for bias, er talt under den højeste.",
        "A study whose results differ in risk of bias is counted under the highest.",
    ),
    "flow_title": ("Flowdiagrammets tal", "The numbers behind the flow diagram"),
    "flow_columns": ("Boks|Antal", "Box|Number"),
    "agreement_title": ("Enighed mellem bedømmere", "Agreement between reviewers"),
    "agreement_columns": (
        "Fase|Bedømmer A|Bedømmer B|Poster|Enighed (%)|Kappa|AC1|PABAK",
        "Stage|Reviewer A|Reviewer B|Records|Agreement (%)|Kappa|AC1|PABAK",
    ),
    "agreement_none": (
        "Ingen faser med dobbelt screening.",
        "No stage is screened by two reviewers.",
    ),
    "not_graded": ("Ikke vurderet", "Not graded"),
    "no_level": ("Ikke beregnet", "Not computed"),
    "stage_screened": ("{stage}: screenet", "{stage}: screened"),
    "stage_excluded": ("{stage}: ekskluderet", "{stage}: excluded"),
    "source": ("Poster identificeret: {name}", "Records identified: {name}"),
    "other_sought": (
        "Andre metoder: rapporter søgt fremskaffet",
        "Other methods: reports sought for retrieval",
    ),
    "other_not_retrieved": (
        "Andre metoder: rapporter ikke fremskaffet",
        "Other methods: reports not retrieved",
    ),
    "other_assessed": (
        "Andre metoder: rapporter vurderet for egnethed",
        "Other methods: reports assessed for eligibility",
    ),
    "other_excluded": ("Andre metoder: rapporter ekskluderet", "Other methods: reports excluded"),
    "reason": ("– {reason}", "– {reason}"),
}


def pick(pair: Bilingual, language: str) -> str:
    return pair[0] if language == "da" else pair[1]


def text(key: str, language: str, **values) -> str:
    return pick(TEXT[key], language).format(**values)


def columns(key: str, language: str) -> list[str]:
    return text(key, language).split("|")


def country(code: str, language: str) -> str:
    pair = COUNTRIES.get(code.upper())
    return pick(pair, language) if pair else code.upper()


EXPORT: dict[str, Bilingual] = {
    "comments": ("Kommentarer", "Comments"),
    "comment_columns": (
        "Nr.|Svar på|Emneområde|Om|Forfatter|Tidspunkt|Kommentar|Løst",
        "No.|Reply to|Topic area|On|Author|Time|Comment|Resolved",
    ),
    "problems": ("Problemer", "Problems"),
    "no_problems": ("Ingen problemer fundet.", "No problems found."),
    "verdicts": ("Vurderinger", "Verdicts"),
    "verdict_columns": (
        "Kategori|Niveau|Beregnet niveau|Begrundelse",
        "Category|Level|Computed level|Rationale",
    ),
    "computed_at": ("Tabellerne er beregnet {at}.", "Tables computed {at}."),
    "appendix": ("Bilag: kommentarer fra fagfællebedømmelsen", "Appendix: peer-review comments"),
    "yes": ("Ja", "Yes"),
    "no": ("Nej", "No"),
}


def export_text(key: str, language: str, **values) -> str:
    return pick(EXPORT[key], language).format(**values)
