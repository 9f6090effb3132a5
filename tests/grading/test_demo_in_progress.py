"""The demo's third topic area: a screening in progress that a newcomer can try."""

import io
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from grading.demo import corpus, in_progress
from grading.demo.review import DEMO_SLUG
from reviewapp.models import Project
from screening import flow, highlight, queries
from screening.models import Decision, DuplicatePair, Record, ScreeningItem, Source, Stage
from screening.services.ranking import latest_ranking
from screening.services.screening import screening_next
from tests.shared_data import SHARED_DATA, shared_data

pytestmark = pytest.mark.django_db

Status = ScreeningItem.Status


@pytest.fixture
def topic_area():
    call_command("load_demo", stdout=io.StringIO())
    return Project.objects.get(slug=DEMO_SLUG).topic_areas.get(key=in_progress.KEY)


def _user(username):
    return get_user_model().objects.get(username=username)


def _stages(topic_area):
    return topic_area.stages.order_by("position")


def test_load_demo_prints_where_to_start():
    out = io.StringIO()
    call_command("load_demo", "--base-url", "http://127.0.0.1:8000", stdout=out)
    text = out.getvalue()
    stage = _stages(Project.objects.get(slug=DEMO_SLUG).topic_areas.get(key=in_progress.KEY))[0]
    screen = f"/projects/{DEMO_SLUG}/topics/{in_progress.KEY}/screening/{stage.pk}/"
    assert "Where to start" in text
    assert f"  reviewer1  http://127.0.0.1:8000{screen}\n" in text
    assert f"  lead       http://127.0.0.1:8000{screen}records/?status=conflict\n" in text
    assert "  lead       demo-lead-2019" in text  # the logins are still printed


def test_imports_three_sources_and_deduplicates_them(topic_area):
    sources = list(topic_area.sources.order_by("id"))
    assert [source.name for source in sources] == ["SocINDEX", "PubMed", "Forskningsdatabasen.dk"]
    assert [source.file_format for source in sources] == ["ris", "nbib", "ris"]
    assert {source.kind for source in sources} == {Source.Kind.DATABASE}
    jobs = list(topic_area.import_jobs.order_by("id"))
    assert [job.status for job in jobs] == ["done"] * 3
    records = topic_area.records
    assert 300 <= records.count() <= 400
    canonical = records.filter(canonical__isnull=True)
    pending = DuplicatePair.objects.filter(topic_area=topic_area, status="pending")
    # 300 works. A subtitle dropped, or a conference paper dated a year apart, merges where the
    # whole byline and the journal agree; of the three copies not merged, two pairs wait for a
    # person (a year apart with nothing else to tell) and one (a short Danish title without
    # its subtitle or a DOI) goes unnoticed, as some do. Every group holds one work.
    assert len(corpus.works()) == 300
    assert (canonical.count(), pending.count()) == (303, 2)
    duplicates = records.filter(canonical__isnull=False)
    assert duplicates.count() == sum(
        job.summary["duplicates_in_file"] + job.summary["duplicates_existing"] for job in jobs
    )
    assert jobs[0].summary["duplicates_in_file"] == 3  # SocINDEX exported three twice
    assert jobs[1].summary["duplicates_existing"] > 20  # PubMed found what SocINDEX found
    reasons = " | ".join(duplicates.values_list("duplicate_reason", flat=True))
    assert "same DOI" in reasons and "title 1.00" in reasons
    assert any("years are one apart" in pair.reason for pair in pending)
    # Danish and English, with the metadata exports carry.
    languages = Counter(canonical.values_list("language", flat=True))
    assert languages["Danish"] > 50 and languages["English"] > 150
    assert canonical.exclude(doi="").count() > 100
    assert not canonical.filter(authors=[]).exists()
    assert not canonical.filter(abstract="").exists()
    assert records.filter(source__name="PubMed").exclude(pmid="").count() == sources[1].records_read


def test_each_reviewer_has_records_waiting_and_some_decided_by_both(topic_area):
    abstracts, fulltexts = _stages(topic_area)
    assert abstracts.dual and abstracts.kind == Stage.Kind.ABSTRACT
    assert sorted(abstracts.reviewers.values_list("username", flat=True)) == [
        "reviewer1",
        "reviewer2",
    ]
    items = abstracts.items.filter(record__canonical__isnull=True)
    for username in ("reviewer1", "reviewer2"):
        reviewer = _user(username)
        waiting = items.filter(status=Status.PENDING).exclude(decisions__reviewer=reviewer)
        assert waiting.count() == 169
        # The other reviewer decided some of these already.
        assert waiting.filter(decisions_made=1).count() == in_progress.ONLY_FIRST
        handed = screening_next(stage=abstracts, reviewer=reviewer)
        assert handed is not None and handed.status == Status.PENDING
        assert not handed.decisions.filter(reviewer=reviewer).exists()
    decided_by_both = items.filter(decisions_made=2)
    assert decided_by_both.count() == in_progress.BOTH_DECIDED
    assert Counter(items.values_list("status", flat=True)) == {
        Status.PENDING: 193,
        Status.EXCLUDED: 89,
        Status.INCLUDED: 16,
        Status.CONFLICT: 5,
    }
    assert fulltexts.items.count() == 16


def test_open_conflicts_carry_both_decisions_and_two_are_resolved(topic_area, client):
    abstracts = _stages(topic_area)[0]
    conflicts = abstracts.items.filter(status=Status.CONFLICT)
    assert conflicts.count() == in_progress.CONFLICTS - in_progress.RESOLVED == 5
    for item in conflicts:
        values = sorted(item.decisions.values_list("value", flat=True))
        assert values == ["exclude", "include"]
        excluded = item.decisions.get(value="exclude")
        assert excluded.reason in in_progress.EXCLUSION_REASONS and excluded.note
    resolved = abstracts.items.exclude(resolved_by=None)
    assert resolved.count() == in_progress.RESOLVED
    assert {item.resolved_by.username for item in resolved} == {"lead"}
    # The lead's list of conflicts shows them.
    client.force_login(_user("lead"))
    kwargs = {"slug": DEMO_SLUG, "topic_key": topic_area.key, "stage_id": abstracts.pk}
    page = client.get(reverse("stage_records", kwargs=kwargs), {"status": "conflict"})
    assert page.status_code == 200
    for item in conflicts.select_related("record"):
        assert item.record.title[:40] in page.content.decode()


def test_the_flow_is_counted_from_the_records(topic_area):
    assert topic_area.reported_flow == {}
    counts, undecided = queries.topic_area_flow(topic_area)
    assert not any(count.reported for count in counts.counts())
    records = Record.objects.filter(topic_area=topic_area)
    assert [(source.name, source.count.value) for source in counts.sources] == [
        (source.name, records.filter(source=source).count())
        for source in topic_area.sources.order_by("created_at", "id")
    ]
    assert counts.duplicates.value == records.filter(canonical__isnull=False).count()
    abstracts, fulltexts = _stages(topic_area)
    (stage,) = counts.stages
    # Screened means decided; the 198 still waiting are in no box but enter the chain.
    assert stage.screened.value + stage.undecided == records.filter(canonical__isnull=True).count()
    assert stage.undecided == 198
    assert stage.excluded.value == abstracts.items.filter(status=Status.EXCLUDED).count() == 89
    assert sum(stage.excluded_by_reason.values()) == 89
    assert set(stage.excluded_by_reason) <= set(in_progress.EXCLUSION_REASONS)
    assert counts.fulltext.sought.value == fulltexts.items.count() == 16
    assert counts.fulltext.not_retrieved.value == 1
    assert counts.fulltext.excluded.value == fulltexts.items.filter(status=Status.EXCLUDED).count()
    included = fulltexts.items.filter(status=Status.INCLUDED).count()
    assert counts.included_studies == flow.Count(included) and included > 0
    assert undecided == {abstracts.name: 198, fulltexts.name: 0}
    # In progress, and still every count adds up: no error, no warning.
    assert flow.flow_check(counts) == []


def test_keywords_highlight_in_the_abstracts(topic_area, client):
    abstracts = _stages(topic_area)[0]
    assert abstracts.include_keywords == in_progress.INCLUDE_KEYWORDS
    assert abstracts.exclude_keywords == in_progress.EXCLUDE_KEYWORDS
    assert abstracts.exclusion_reasons == in_progress.EXCLUSION_REASONS
    marked = Counter()
    for text in topic_area.records.filter(canonical__isnull=True).values_list(
        "abstract", flat=True
    ):
        html = highlight.highlight(text, abstracts.include_keywords, abstracts.exclude_keywords)
        marked["include"] += highlight.INCLUDE_CLASS in html
        marked["exclude"] += highlight.EXCLUDE_CLASS in html
    assert marked["include"] > 150 and marked["exclude"] > 50
    # The screening page marks them in the record it hands out.
    client.force_login(_user("reviewer1"))
    kwargs = {"slug": DEMO_SLUG, "topic_key": topic_area.key, "stage_id": abstracts.pk}
    page = client.get(reverse("screen", kwargs=kwargs)).content.decode()
    assert re.search(r'<mark class="kw-(include|exclude)">', page)


def test_the_queue_is_prioritised_by_a_trained_ranking(topic_area):
    abstracts = _stages(topic_area)[0]
    assert abstracts.queue_order == Stage.Order.PRIORITISED
    ranking = latest_ranking(abstracts)
    assert ranking is not None and ranking.status == "done"
    assert (ranking.included, ranking.excluded) == (16, 89)
    pending = abstracts.items.filter(status=Status.PENDING)
    assert not pending.filter(score__lt=0).exists()  # every waiting record is scored
    handed = screening_next(stage=abstracts, reviewer=_user("reviewer2"))
    best = pending.exclude(decisions__reviewer__username="reviewer2").order_by("-score").first()
    assert handed.score == best.score


def test_load_demo_again_changes_nothing_in_the_third_topic_area(topic_area):
    def state():
        return (
            Record.objects.filter(topic_area=topic_area).count(),
            Decision.objects.filter(stage__topic_area=topic_area).count(),
            topic_area.import_jobs.count(),
            _stages(topic_area)[0].rankings.count(),
        )

    before = state()
    call_command("load_demo", stdout=io.StringIO())
    assert state() == before
    assert Project.objects.get(slug=DEMO_SLUG).topic_areas.count() == 3


def test_the_exports_hold_every_kind_of_near_duplicate():
    assert set(corpus.sources().variants) == {
        "same record",
        "title case",
        "DOI missing",
        "subtitle dropped",
        "year one off",
        "twice in one file",
    }


def test_the_corpus_is_the_same_on_every_run():
    assert [work.full_title for work in corpus.works()] == [
        work.full_title for work in corpus.works()
    ]
    assert corpus.ris_text(corpus.sources().socindex, database="SocINDEX") == corpus.ris_text(
        corpus.sources().socindex, database="SocINDEX"
    )


def _words(text: str) -> list[str]:
    return re.sub(r"[^\w]+", " ", text.lower()).split()


def test_no_demo_text_is_copied_from_the_shared_data():
    """No demo title or abstract appears in ../shared (its data sets and the seed report)."""
    shared_data()  # skips in a clone without ../shared (fails under CI)
    window = 6
    texts = []
    for folder in (SHARED_DATA, SHARED_DATA.parent / "seed"):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                texts.append(" ".join(_words(path.read_bytes().decode("utf-8", "replace"))))
    shared = " \n ".join(texts)
    # A text can only be in the shared files if its first six words are: look those up
    # in a set of every six-word run there, then confirm the few candidates in full.
    words = shared.split()
    starts = {hash(tuple(words[i : i + window])) for i in range(len(words) - window + 1)}
    candidates = []
    works = corpus.works()
    for text in [work.full_title for work in works] + [work.abstract for work in works]:
        demo_words = _words(text)
        assert len(demo_words) >= window
        if hash(tuple(demo_words[:window])) in starts:
            candidates.append(" ".join(demo_words))
    copied = [text for text in candidates if text in shared]
    assert copied == []
