"""The demo's third topic area: a screening in progress, to try screening on.

The seed review's two topic areas are finished work (every record included, the flow
entered as the report gives it). This one is built from the same material, the Danish
employment efforts for vulnerable groups, but its records are the demo's own
(`grading.demo.corpus`), imported from three databases through the import service, so
de-duplication runs as it would on real exports. Then the title and abstract stage, dual,
is half screened: both reviewers have decided some records (and disagree on a few: open
conflicts, two resolved by the lead), each has records the other decided and records nobody
has; the full-text stage has a few decisions. The flow diagram is counted, and the queue is
prioritised by a ranking trained on the decisions so far.

Every write goes through the services a person's clicks would call.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from grading.demo import corpus
from reviewapp import services
from reviewapp.models import Project, TopicArea
from screening.models import ScreeningItem, Source, Stage
from screening.services.fulltext import fulltext_mark_not_retrievable
from screening.services.imports import import_job_create, import_run
from screening.services.ranking import ranking_retrain, stage_order_set
from screening.services.screening import (
    conflict_resolve,
    decision_record,
    stage_update,
    stages_set_up,
)

KEY = "vulnerable-groups"

TOPIC_AREA = {
    "key": KEY,
    "title": "Indsatser for udsatte ledige (demo: screening i gang)",
    "question": (
        "Which employment efforts (mentoring, Individual Placement and Support, wage subsidy "
        "jobs, integrated health and employment services, internships) help vulnerable "
        "unemployed people into work or education?"
    ),
    "population": (
        "Vulnerable unemployed people: social assistance recipients with problems besides "
        "unemployment, people with mental illness or reduced working capacity, long-term "
        "sick-listed workers, refugees, young people without education."
    ),
    "population_terms": [
        "social assistance",
        "kontanthjælp*",
        "aktivitetsparat*",
        "mental illness",
        "sick-listed",
        "sygemeldt*",
        "refugee*",
        "flygtning*",
        "long-term unemployed",
        "langtidsledig*",
    ],
    "intervention": (
        "Employment efforts for the group, compared with usual services; outcome employment, "
        "self-sufficiency, education or earnings."
    ),
    "intervention_terms": [
        "mentor*",
        "Individual Placement and Support",
        "IPS",
        "wage subsidy",
        "løntilskud*",
        "internship*",
        "virksomhedspraktik",
        "integrated",
        "tværfaglig*",
    ],
}

# The stage's reasons (Danish: the project's language), in corpus.POPULATION.. order.
EXCLUSION_REASONS = [
    "Forkert målgruppe (ikke udsatte ledige)",
    "Ikke en beskæftigelsesindsats",
    "Udfald er ikke beskæftigelse eller uddannelse",
    "Intet kausalt design",
    "Uden for afgrænsningen (før 2000 eller uden for OECD)",
    "Ikke en empirisk undersøgelse",
]
# The note a hesitant reviewer leaves beside an exclusion, by reason.
DOUBTS = [
    "Er målgruppen udsatte ledige? Det fremgår ikke klart.",
    "Er det en beskæftigelsesindsats? Tvivlsomt.",
    "Udfaldet er måske ikke beskæftigelse.",
    "Usikker: designet fremgår ikke tydeligt af abstractet.",
    "Udgivelsesår eller land ser ud til at falde uden for afgrænsningen.",
    "Ligner et debatindlæg uden egne data.",
]
INCLUDE_KEYWORDS = [
    "employment",
    "beskæftigelse",
    "self-sufficiency",
    "selvforsørgelse",
    "randomi*",
    "lodtrækningsforsøg",
    "difference-in-differences",
    "forskel-i-forskel*",
    "regression discontinuity",
    "natural experiment",
    "naturligt eksperiment",
]
EXCLUDE_KEYWORDS = [
    "qualitative",
    "kvalitative",
    "survey",
    "spørgeskemaundersøgelse",
    "commentary",
    "kommentar",
    "debat*",
    "self-rated health",
    "pupils",
    "folkeskoleelever",
]

# The three exports: database name, file name, format, the corpus list that fills it.
SOURCES = [
    ("SocINDEX", "socindex-2019-11-27.ris", "ris", "socindex"),
    ("PubMed", "pubmed-2019-11-27.nbib", "nbib", "pubmed"),
    ("Forskningsdatabasen.dk", "forskningsdatabasen-2019-11-28.ris", "ris", "danish"),
]

# How far screening has got at the title and abstract stage, in queue order.
BOTH_DECIDED = 110  # by both reviewers
CONFLICTS = 7  # of those, the reviewers disagree on these...
RESOLVED = 2  # ...and the lead has settled these
ONLY_FIRST = 24  # then reviewer1 alone (waiting for reviewer2)
ONLY_SECOND = 24  # then reviewer2 alone (waiting for reviewer1)


def _file(name: str, fmt: str, exports) -> ContentFile:
    if fmt == "nbib":
        text = corpus.medline_text(exports)
    else:
        database = name.split("-")[0]
        text = corpus.ris_text(exports, database=database)
    return ContentFile(text.encode(), name=name)


def _import_sources(topic_area: TopicArea, lead) -> None:
    exports = corpus.sources()
    for name, file_name, fmt, attribute in SOURCES:
        job = import_job_create(
            topic_area=topic_area,
            actor=lead,
            upload=_file(file_name, fmt, getattr(exports, attribute)),
            source_name=name,
            source_kind=Source.Kind.DATABASE,
            requested_format=fmt,
            query="(mentor* OR IPS OR wage subsidy OR internship*) AND (unemploy* OR ledig*)",
            enqueue=False,
        )
        import_run(job=job)


def _works_by_title(topic_area: TopicArea) -> dict[str, corpus.Work]:
    """Each canonical record's work, by the title the record was imported with."""
    works: dict[str, corpus.Work] = {}
    exports = corpus.sources()
    for export in exports.socindex + exports.pubmed + exports.danish:
        works.setdefault(export.title, export.work)
    return works


def _items(stage: Stage, works) -> list[ScreeningItem]:
    """The stage's items in the corpus's order of works (itself random): the same records
    are decided on every database, where the queue's order depends on the rows' ids."""
    items = ScreeningItem.objects.filter(stage=stage).select_related("record")
    return sorted(
        items,
        key=lambda item: (
            works[item.record.title].number,
            item.record.source_id,
            item.record.position,
        ),
    )


def _decide(reviewer, item, work: corpus.Work) -> None:
    """The decision the work calls for: include, or exclude with its reason."""
    if work.relevant:
        decision_record(item=item, reviewer=reviewer, value="include")
    else:
        reason = EXCLUSION_REASONS[work.reason]
        decision_record(item=item, reviewer=reviewer, value="exclude", reason=reason)


def _screen_abstracts(stage: Stage, lead, reviewers, works) -> None:
    first, second = reviewers
    items = _items(stage, works)
    done = items[:BOTH_DECIDED]
    # The disagreements: spread over the decided records, on relevant and borderline works.
    disputed = {item.pk for item in done[5::15][:CONFLICTS]}
    for item in done:
        work = works[item.record.title]
        if item.pk not in disputed:
            _decide(first, item, work)
            _decide(second, item, work)
            continue
        # One reviewer includes, the other excludes with a reason and a note.
        includer, excluder = (first, second) if work.relevant else (second, first)
        decision_record(item=item, reviewer=includer, value="include")
        reason = corpus.DESIGN if work.relevant else work.reason
        decision_record(
            item=item,
            reviewer=excluder,
            value="exclude",
            reason=EXCLUSION_REASONS[reason],
            note=DOUBTS[reason],
        )
    for item in [item for item in done if item.pk in disputed][:RESOLVED]:
        work = works[item.record.title]
        item.refresh_from_db()
        if work.relevant:
            conflict_resolve(
                item=item, actor=lead, value="include", note="Læst sammen: designet er kausalt."
            )
        else:
            conflict_resolve(
                item=item,
                actor=lead,
                value="exclude",
                reason=EXCLUSION_REASONS[work.reason],
                note="Afgjort på et møde.",
            )
    rest = items[BOTH_DECIDED:]
    for item in rest[:ONLY_FIRST]:
        _decide(first, item, works[item.record.title])
    for item in rest[ONLY_FIRST : ONLY_FIRST + ONLY_SECOND]:
        _decide(second, item, works[item.record.title])


def _screen_fulltexts(stage: Stage, lead, reviewer, works) -> None:
    items = _items(stage, works)
    # One full text could not be had (counted as "reports not retrieved").
    if items:
        fulltext_mark_not_retrievable(
            record=items[-1].record, actor=lead, note="Rapporten kunne ikke skaffes."
        )
    # Every full text that could be had is read: the flow's identities then hold (see
    # screening.flow.flow_check), while the first stage is still in progress.
    for position, item in enumerate(items[:-1]):
        work = works[item.record.title]
        if position % 3 == 2:
            # Read in full, the design turns out not to be causal after all.
            decision_record(
                item=item,
                reviewer=reviewer,
                value="exclude",
                reason=EXCLUSION_REASONS[corpus.DESIGN],
                note="Sammenligningsgruppen er ikke valgt tilfældigt.",
            )
        else:
            _decide(reviewer, item, work)


@transaction.atomic
def demo_in_progress_load(*, project: Project, lead, reviewers) -> TopicArea:
    """Create the third topic area and its screening in progress; nothing once it exists."""
    topic_area = TopicArea.objects.filter(project=project, key=KEY).first()
    if topic_area is not None:
        return topic_area
    seed_area = project.topic_areas.order_by("position").last()
    topic_area = services.topic_area_create(
        project=project,
        actor=lead,
        position=seed_area.position + 1,
        study_design=seed_area.study_design,
        study_design_terms=seed_area.study_design_terms,
        inclusion_criteria=seed_area.inclusion_criteria,
        exclusion_criteria=seed_area.exclusion_criteria,
        databases=[name for name, *_rest in SOURCES],
        year_from=seed_area.year_from,
        year_to=seed_area.year_to,
        languages=seed_area.languages,
        regions=seed_area.regions,
        **TOPIC_AREA,
    )
    _import_sources(topic_area, lead)
    # Both stages: the two demo reviewers (so the lead is handed nothing to screen), the
    # topic's reasons and keywords; the first stage dual, the full-text stage single.
    abstracts, fulltexts = (
        stage_update(
            stage=stage,
            actor=lead,
            expected_version=stage.version,
            reviewer_ids=[reviewer.pk for reviewer in reviewers],
            reviewers_required=required,
            exclusion_reasons=EXCLUSION_REASONS,
            include_keywords=INCLUDE_KEYWORDS,
            exclude_keywords=EXCLUDE_KEYWORDS,
        )
        for stage, required in zip(
            stages_set_up(topic_area=topic_area, actor=lead, preset="two"), (2, 1), strict=True
        )
    )
    works = _works_by_title(topic_area)
    _screen_abstracts(abstracts, lead, reviewers, works)
    _screen_fulltexts(fulltexts, lead, reviewers[0], works)
    # Prioritised from here on: the ranking learns from the records settled so far. It is
    # trained now (the demo loads in one command); the retrain the switch asks for finds
    # the same decisions and does nothing.
    stage_order_set(stage=abstracts, actor=lead, order=Stage.Order.PRIORITISED)
    ranking_retrain(stage=Stage.objects.get(pk=abstracts.pk))
    return topic_area


def demo_start(*, project: Project) -> list[tuple[str, str, str]]:
    """Where a newcomer starts: (username, path, what is there), for `load_demo` to print."""
    topic_area = project.topic_areas.get(key=KEY)
    stage = topic_area.stages.order_by("position").first()
    kwargs = {"slug": project.slug, "topic_key": topic_area.key}
    screen = reverse("screen", kwargs={**kwargs, "stage_id": stage.pk})
    records = reverse("stage_records", kwargs={**kwargs, "stage_id": stage.pk})
    return [
        ("reviewer1", screen, "records waiting for you, most likely relevant first"),
        ("reviewer2", screen, "the second reviewer's own queue at the same stage"),
        ("lead", f"{records}?status=conflict", "open conflicts to resolve"),
        ("lead", reverse("flow", kwargs=kwargs), "the PRISMA flow, counted from the records"),
    ]
